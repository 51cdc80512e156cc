import { BrowserRouter, Route, Routes } from "react-router";
import { SessionProvider, useSession } from "./api/session.js";
import { AppHeader } from "./components/app-header.js";
import { DatasetPage } from "./pages/dataset-page.js";
import { DatasetsPage } from "./pages/datasets-page.js";
import { LoginPage } from "./pages/login-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { PipelinePage } from "./pages/pipeline-page.js";
import { PipelinesPage } from "./pages/pipelines-page.js";
import { QualityPage } from "./pages/quality-page.js";
import { RunPage } from "./pages/run-page.js";
import { RunsPage } from "./pages/runs-page.js";
import { StreamPage } from "./pages/stream-page.js";
import { StreamsPage } from "./pages/streams-page.js";
import { TokensPage } from "./pages/tokens-page.js";

function Shell() {
  const { state } = useSession();
  if (state.status === "loading") return <p className="muted boot">Connecting…</p>;
  if (state.status === "unreachable") {
    return (
      <div className="error boot" role="alert">
        Cannot reach the weir server: {state.error}
      </div>
    );
  }
  if (state.status === "anonymous") return <LoginPage error={state.error} />;
  return (
    <>
      <AppHeader principal={state.principal} />
      <main className="page">
        <Routes>
          <Route path="/" element={<PipelinesPage />} />
          <Route path="/pipelines/:id" element={<PipelinePage />} />
          <Route path="/runs" element={<RunsPage />} />
          <Route path="/runs/:id" element={<RunPage />} />
          <Route path="/datasets" element={<DatasetsPage />} />
          <Route path="/datasets/:name" element={<DatasetPage />} />
          <Route path="/quality" element={<QualityPage />} />
          <Route path="/streams" element={<StreamsPage />} />
          <Route path="/streams/:job" element={<StreamPage />} />
          <Route path="/tokens" element={<TokensPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </BrowserRouter>
  );
}
