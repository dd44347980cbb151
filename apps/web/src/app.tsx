import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type Collection, type Locale, type Space, type User, environmentPath } from './api';
import { AssetPage } from './asset-page';
import { AssetGrid } from './asset-grid';
import { type Route, hrefOf, navigate, useRoute } from './route';
import { StatusFeed } from './status-feed';
import { ErrorAlert, Uploader, messageOf } from './uploader';

/** The token lives in this tab's session only: closing the tab signs out. */
const TOKEN_KEY = 'hangar.library.token';

export function App() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY));
  const api = useMemo(() => (token === null ? undefined : new Api(token)), [token]);
  const [user, setUser] = useState<User>();
  const route = useRoute();

  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setUser(undefined);
    navigate({ view: 'home' });
  };

  if (api === undefined || user === undefined)
    return (
      <Shell>
        <SignIn
          api={api}
          onSignedIn={(signedIn, me) => {
            sessionStorage.setItem(TOKEN_KEY, signedIn.token);
            setToken(signedIn.token);
            setUser(me);
          }}
          onForget={signOut}
        />
      </Shell>
    );

  return (
    <Shell user={user} onSignOut={signOut}>
      <Workspace api={api} route={route} />
    </Shell>
  );
}

function Shell({ user, onSignOut, children }: { user?: User; onSignOut?: () => void; children: preact.ComponentChildren }) {
  return (
    <>
      <header class="top">
        <h1>
          <a href={hrefOf({ view: 'home' })}>Hangar media library</a>
        </h1>
        {user !== undefined && onSignOut !== undefined && (
          <div class="who">
            <span>{user.email ?? user.sys.id}</span>
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main>{children}</main>
    </>
  );
}

/** Asks for a token, checks it with GET /users/me; a token already in the session is checked the same way. */
function SignIn({ api, onSignedIn, onForget }: { api?: Api; onSignedIn: (api: Api, user: User) => void; onForget: () => void }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const tryToken = async (candidate: Api) => {
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(candidate, await candidate.request<User>('GET', '/users/me'));
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  };

  useEffect(() => {
    if (api !== undefined) void tryToken(api);
    // The token the session started with is checked on its own; a typed one when submitted.
  }, [api]);

  return (
    <form
      class="panel sign-in"
      onSubmit={(event) => {
        event.preventDefault();
        if (draft.trim() !== '') void tryToken(new Api(draft.trim()));
      }}
    >
      <h2>Sign in</h2>
      <p>
        Paste a Hangar access token (after <code>npm start</code>, the administrator's is in <code>.hangar/admin-token</code>). It is kept
        in this tab's session only.
      </p>
      <label for="token">Access token</label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="off"
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        required
      />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {api !== undefined && error !== undefined && (
          <button type="button" onClick={onForget}>
            Forget the saved token
          </button>
        )}
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}

/** Space and environment pickers over the library or an asset's page. */
function Workspace({ api, route }: { api: Api; route: Route }) {
  const [spaces, setSpaces] = useState<Space[]>();
  const [environments, setEnvironments] = useState<Space[]>();
  const [locale, setLocale] = useState<string>();
  const [error, setError] = useState<string>();
  const space = route.view === 'home' ? undefined : route.space;
  const environment = route.view === 'home' ? undefined : route.environment;

  useEffect(() => {
    api.spaces().then(
      (page) => {
        setSpaces(page.items);
        const first = page.items[0];
        if (route.view === 'home' && first !== undefined) navigate({ view: 'library', space: first.sys.id, environment: 'master' });
      },
      (failure: unknown) => setError(messageOf(failure)),
    );
  }, [api]);

  useEffect(() => {
    setEnvironments(undefined);
    if (space === undefined) return;
    api.environments(space).then(
      (page) => setEnvironments(page.items),
      (failure: unknown) => setError(messageOf(failure)),
    );
  }, [api, space]);

  useEffect(() => {
    setLocale(undefined);
    if (space === undefined || environment === undefined) return;
    api.request<Collection<Locale>>('GET', `${environmentPath(space, environment)}/locales`).then(
      (page) => setLocale((page.items.find((item) => item.default) ?? page.items[0])?.code ?? 'en-US'),
      (failure: unknown) => setError(messageOf(failure)),
    );
  }, [api, space, environment]);

  return (
    <>
      <nav class="panel pickers" aria-label="Space and environment">
        <div>
          <label for="space">Space</label>
          <select
            id="space"
            value={space ?? ''}
            onChange={(e) => navigate({ view: 'library', space: e.currentTarget.value, environment: 'master' })}
          >
            {space === undefined && <option value="">Choose a space</option>}
            {(spaces ?? []).map((item) => (
              <option key={item.sys.id} value={item.sys.id}>
                {item.name} ({item.sys.id})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="environment">Environment</label>
          <select
            id="environment"
            value={environment ?? ''}
            disabled={space === undefined}
            onChange={(e) => space !== undefined && navigate({ view: 'library', space, environment: e.currentTarget.value })}
          >
            {(environments ?? (environment === undefined ? [] : [{ sys: { id: environment }, name: environment }])).map((item) => (
              <option key={item.sys.id} value={item.sys.id}>
                {item.name}
              </option>
            ))}
          </select>
        </div>
      </nav>
      <ErrorAlert message={error} />
      {spaces !== undefined && spaces.length === 0 && (
        <NewSpace
          api={api}
          onCreated={(created) => {
            setSpaces([created]);
            navigate({ view: 'library', space: created.sys.id, environment: 'master' });
          }}
        />
      )}
      {space !== undefined && environment !== undefined && locale !== undefined && (
        <Environment key={`${space}/${environment}`} api={api} route={route} space={space} environment={environment} locale={locale} />
      )}
    </>
  );
}

/** A fresh Hangar has no space yet: the first one is made here (its creator manages it). */
function NewSpace({ api, onCreated }: { api: Api; onCreated: (space: Space) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="panel"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        api.request<Space>('POST', '/spaces', { body: { name: name.trim() } }).then(onCreated, (failure: unknown) => {
          setError(messageOf(failure));
          setBusy(false);
        });
      }}
    >
      <h2>No space yet</h2>
      <p>This token is a member of no space. Make one to upload into:</p>
      <label for="new-space">Space name</label>
      <input id="new-space" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      <div class="actions">
        <button type="submit" disabled={busy || name.trim() === ''}>
          Create the space
        </button>
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}

function Environment({
  api,
  route,
  space,
  environment,
  locale,
}: {
  api: Api;
  route: Route;
  space: string;
  environment: string;
  locale: string;
}) {
  // Bumped when an asset of the environment finishes processing, so the grid shows it.
  const [generation, setGeneration] = useState(0);
  const feed = useMemo(() => new StatusFeed(api, space, environment, () => setGeneration((n) => n + 1)), [api, space, environment]);
  useEffect(() => () => feed.close(), [feed]);

  // The uploader stays mounted (hidden) on an asset's page, so uploads in progress go on meanwhile.
  return (
    <>
      <div hidden={route.view === 'asset'}>
        <Uploader api={api} space={space} environment={environment} locale={locale} feed={feed} />
      </div>
      {route.view === 'asset' ? (
        <AssetPage api={api} space={space} environment={environment} locale={locale} assetId={route.asset} generation={generation} />
      ) : (
        <AssetGrid api={api} space={space} environment={environment} locale={locale} generation={generation} />
      )}
    </>
  );
}
