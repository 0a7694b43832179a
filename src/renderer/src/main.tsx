import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App'
import './styles.css'

const root = document.getElementById('root')
if (root) {
  // a boundary shows a caught error on screen; the console gets a warning, not an error
  createRoot(root, { onCaughtError: (error, info) => console.warn(`caught by an error boundary: ${error instanceof Error ? error.message : String(error)}${info.componentStack ?? ''}`) }).render(
    <StrictMode>
      <App />
    </StrictMode>
  )
}
