import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import './i18n';
import './base.css';
import { Splash } from './app/Splash';
import { SessionProvider } from './app/session';

// Three lazy worlds: the login page and the desktop shell (antd), the phone pages (no antd).
const LoginRoute = lazy(() => import('./pages/login/LoginRoute').then((module) => ({ default: module.LoginRoute })));
const DesktopApp = lazy(() => import('./app/DesktopApp').then((module) => ({ default: module.DesktopApp })));
const MobileApp = lazy(() => import('./mobile/MobileApp').then((module) => ({ default: module.MobileApp })));

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionProvider>
          <Suspense fallback={<Splash />}>
            <Routes>
              <Route path="/login" element={<LoginRoute />} />
              <Route path="/m/*" element={<MobileApp />} />
              <Route path="/*" element={<DesktopApp />} />
            </Routes>
          </Suspense>
        </SessionProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
