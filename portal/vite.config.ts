import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The gateway's URL is not built in: the server of the static files answers /portal-config.json (see serve.ts).
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { port: 5173, strictPort: true },
});
