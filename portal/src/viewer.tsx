import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { PortalViewerQuery } from './__generated__/graphql';
import { request, session } from './client';
import { LogoutDocument, SwitchAccountDocument, ViewerDocument } from './operations';
import { navigate } from './ui';

export type Viewer = PortalViewerQuery['me'];

interface ViewerState {
  viewer: Viewer | null;
  loading: boolean;
  /** Stores a new session token (sign-in, switch) and reloads who the caller is. */
  signedIn(token: string): Promise<Viewer | null>;
  switchTo(accountId: string): Promise<void>;
  signOut(): Promise<void>;
  reload(): Promise<void>;
}

const ViewerContext = createContext<ViewerState | null>(null);

export function useViewer(): ViewerState {
  const state = useContext(ViewerContext);
  if (!state) throw new Error('useViewer outside ViewerProvider');
  return state;
}

export function ViewerProvider({ children }: { children: ReactNode }) {
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [loading, setLoading] = useState(() => Boolean(session.get()));

  const load = useCallback(async (): Promise<Viewer | null> => {
    if (!session.get()) {
      setViewer(null);
      setLoading(false);
      return null;
    }
    setLoading(true);
    try {
      const { data } = await request(ViewerDocument);
      setViewer(data.me.user ? data.me : null);
      return data.me.user ? data.me : null;
    } catch {
      setViewer(null);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
    const onSignedOut = () => {
      setViewer(null);
      navigate('/');
    };
    window.addEventListener('portal:signed-out', onSignedOut);
    return () => window.removeEventListener('portal:signed-out', onSignedOut);
  }, [load]);

  const state: ViewerState = {
    viewer,
    loading,
    signedIn: async (token) => {
      session.set(token);
      return load();
    },
    switchTo: async (accountId) => {
      const { data } = await request(SwitchAccountDocument, { accountId });
      session.set(data.switchAccount.token);
      await load();
    },
    signOut: async () => {
      await request(LogoutDocument).catch(() => undefined);
      session.clear();
      setViewer(null);
      navigate('/');
    },
    reload: async () => {
      await load();
    },
  };
  return <ViewerContext.Provider value={state}>{children}</ViewerContext.Provider>;
}
