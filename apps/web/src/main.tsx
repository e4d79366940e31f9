// The styles every screen shares come first: each component's own come after them.
import './ui/theme.css';
import './ui/buttons.css';
import './ui/notices.css';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { createQueryClient } from './query/query-client.ts';
import { createOfflineSession } from './session/offline-session.ts';
import { registerTodoWrites } from './todos/todo-writes.ts';
import { createWebClient, TRPCProvider } from './trpc.ts';

function Root() {
  const [sessionExpired, setSessionExpired] = useState(false);
  const [queryClient] = useState(() => createQueryClient(() => setSessionExpired(true)));
  // Same origin as the page: the session cookie goes along by itself, no token in JavaScript.
  const [trpcClient] = useState(() => createWebClient(window.location.origin));
  // Before anything restores writes saved offline: they find what to call by their key.
  const [offline] = useState(() => {
    registerTodoWrites(queryClient, trpcClient);
    return createOfflineSession(queryClient);
  });
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <App
          offline={offline}
          sessionExpired={sessionExpired}
          onSessionStarted={() => setSessionExpired(false)}
          onSessionExpired={() => setSessionExpired(true)}
        />
      </TRPCProvider>
    </QueryClientProvider>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);

// The service worker that keeps the app's shell for offline use (vite.config.ts), once the page
// has loaded. Browsers without one, or a page not served over HTTPS or from localhost, skip it.
addEventListener('load', () => navigator.serviceWorker?.register('/sw.js'));
