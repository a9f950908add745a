import { defineConfig } from 'vite'

// The build goes straight into the Go package that embeds it.
export default defineConfig({
  build: {
    outDir: '../internal/ui/dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
})
