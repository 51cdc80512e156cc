import { NavLink } from "react-router";
import { hasRole, useSession } from "../api/session.js";
import type { Principal } from "../api/types.js";

const SECTIONS = [
  { to: "/", label: "Pipelines", end: true },
  { to: "/runs", label: "Runs", end: false },
  { to: "/datasets", label: "Datasets", end: false },
  { to: "/quality", label: "Quality", end: false },
  { to: "/streams", label: "Streams", end: false },
];

/** Shown to admins only (the server refuses everyone else anyway). */
const ADMIN_SECTIONS = [{ to: "/tokens", label: "Tokens", end: false }];

/** The top bar: sections, and who is signed in with which role. */
export function AppHeader({ principal }: { principal: Principal }) {
  const { signOut } = useSession();
  return (
    <header className="app-header">
      <span className="brand">weir</span>
      <nav>
        {[...SECTIONS, ...(hasRole(principal, "admin") ? ADMIN_SECTIONS : [])].map((section) => (
          <NavLink key={section.to} to={section.to} end={section.end}>
            {section.label}
          </NavLink>
        ))}
      </nav>
      <div className="whoami" data-testid="principal">
        <span className="principal-name">{principal.name}</span>{" "}
        <span className={`role role-${principal.role}`} data-role={principal.role}>
          {principal.role}
        </span>
        {principal.local ? (
          <span className="muted"> (local mode)</span>
        ) : (
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
