export function ContactsPage() {
  return <main />;
}
