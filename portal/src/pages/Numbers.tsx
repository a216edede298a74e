export function NumbersPage() {
  return <main />;
}
