import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { ApiError, api } from "./client.js";
import type { Principal, Role } from "./types.js";

type SessionState =
  | { status: "loading" }
  | { status: "anonymous"; error?: string }
  | { status: "signed-in"; principal: Principal }
  | { status: "unreachable"; error: string };

interface SessionValue {
  state: SessionState;
  signIn: (token: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the principal's role reaches `role`. The server enforces it; the UI only hides. */
export function hasRole(principal: Principal, role: Role): boolean {
  return ROLE_RANK[principal.role] >= ROLE_RANK[role];
}

/** Asks the server who we are once; local mode answers with the local admin principal. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  useEffect(() => {
    api<{ principal: Principal }>("/api/session")
      .then(({ principal }) => setState({ status: "signed-in", principal }))
      .catch((cause: unknown) => {
        if (cause instanceof ApiError && cause.status === 401) setState({ status: "anonymous" });
        else
          setState({ status: "unreachable", error: cause instanceof Error ? cause.message : String(cause) });
      });
  }, []);

  const signIn = useCallback(async (token: string) => {
    try {
      const { principal } = await api<{ principal: Principal }>("/api/session", {
        method: "POST",
        body: { token },
      });
      setState({ status: "signed-in", principal });
    } catch (cause) {
      setState({ status: "anonymous", error: cause instanceof Error ? cause.message : String(cause) });
    }
  }, []);

  const signOut = useCallback(async () => {
    await api("/api/session", { method: "DELETE" }).catch(() => undefined);
    setState({ status: "anonymous" });
  }, []);

  return <SessionContext.Provider value={{ state, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in principal; pages render only inside a signed-in session. */
export function usePrincipal(): Principal {
  const { state } = useSession();
  if (state.status !== "signed-in") throw new Error("usePrincipal without a session");
  return state.principal;
}
