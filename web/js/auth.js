// Cognito user pool sign-in through its JSON API (no SDK). The session lives in memory and in
// this tab's sessionStorage (a reload keeps it, closing the tab ends it); the page's other open
// tabs share it over a BroadcastChannel: a new tab asks them, and sign-in, renewal and sign-out
// reach every tab. Nothing is written to localStorage: see web/README.md for why.
const STORAGE_KEY = "batchscore.session";
const CHANNEL_NAME = "batchscore.auth";
const REFRESH_MARGIN_MS = 60_000;
const ASK_TABS_MS = 400; // how long a new tab waits for an open one to share its session

export class AuthError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const FRIENDLY_MESSAGES = {
  NotAuthorizedException: "Incorrect email or password.",
  UserNotFoundException: "Incorrect email or password.",
  PasswordResetRequiredException: "Your password must be reset. Ask your administrator for a new one.",
  UserNotConfirmedException: "Your account is not confirmed yet.",
  TooManyRequestsException: "Too many attempts. Wait a moment and try again.",
  LimitExceededException: "Too many attempts. Wait a moment and try again.",
};

function decodeJwtPayload(token) {
  const part = token.split(".")[1] || "";
  const base64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function validSession(session) {
  return Boolean(session && session.idToken && session.refreshToken && session.expiresAt);
}

function subject(session) {
  try {
    return decodeJwtPayload(session.idToken).sub || "";
  } catch {
    return "";
  }
}

export class CognitoAuth {
  constructor({ cognitoEndpoint, userPoolClientId }) {
    this.endpoint = cognitoEndpoint;
    this.clientId = userPoolClientId;
    this.session = this.#load();
    this.refreshTimer = null;
    this.refreshing = null;
    this.onSignedOut = () => {};
    this.onSignedIn = () => {}; // another tab signed in (or shared its session) while this one was out
    this.channel = "BroadcastChannel" in window ? new BroadcastChannel(CHANNEL_NAME) : null;
    this.channel?.addEventListener("message", (event) => this.#hear(event.data || {}));
  }

  /** Resolves true when an open tab shared its session (or this tab has one already). */
  joinOtherTabs(waitMs = ASK_TABS_MS) {
    if (this.session || !this.channel) return Promise.resolve(Boolean(this.session));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.channel.removeEventListener("message", heard);
        resolve(Boolean(this.session));
      };
      const heard = (event) => {
        if (event.data?.type === "session") queueMicrotask(done);
      };
      const timer = setTimeout(done, waitMs);
      this.channel.addEventListener("message", heard);
      this.channel.postMessage({ type: "ask" });
    });
  }

  #hear(message) {
    if (message.type === "ask" && this.session) {
      this.channel.postMessage({ type: "session", session: this.session });
    } else if (message.type === "session" && validSession(message.session)) {
      const before = this.session;
      const sameUser = before && subject(before) === subject(message.session);
      if (sameUser && before.expiresAt >= message.session.expiresAt) return;
      if (before && !sameUser) this.#end("You signed in as someone else in another tab.");
      this.#keep(message.session);
      if (!sameUser) this.onSignedIn();
    } else if (message.type === "signed-out" && this.session) {
      this.#end("You signed out in another tab.");
    }
  }

  get signedIn() {
    return this.session !== null;
  }

  get email() {
    if (!this.session) return "";
    const claims = decodeJwtPayload(this.session.idToken);
    return claims.email || claims["cognito:username"] || "";
  }

  /** The Cognito groups of the signed-in user (`cognito:groups` of the ID token). */
  get groups() {
    if (!this.session) return [];
    const groups = decodeJwtPayload(this.session.idToken)["cognito:groups"];
    return Array.isArray(groups) ? groups : [];
  }

  /** Returns "signed-in", or "new-password" when the user must choose a password first. */
  async signIn(email, password) {
    const result = await this.#call("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: this.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (result.ChallengeName === "NEW_PASSWORD_REQUIRED") {
      this.challenge = { email, session: result.Session };
      return "new-password";
    }
    if (result.ChallengeName) {
      throw new AuthError(result.ChallengeName, "This sign-in step is not supported by this page.");
    }
    this.#store(result.AuthenticationResult);
    return "signed-in";
  }

  async completeNewPassword(newPassword) {
    if (!this.challenge) throw new AuthError("NoChallenge", "Sign in again to set your password.");
    const result = await this.#call("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: this.clientId,
      Session: this.challenge.session,
      ChallengeResponses: { USERNAME: this.challenge.email, NEW_PASSWORD: newPassword },
    });
    this.challenge = null;
    this.#store(result.AuthenticationResult);
  }

  /** A valid ID token, refreshed first when it is about to expire. */
  async idToken() {
    await this.#fresh();
    return this.session.idToken;
  }

  /** A valid access token (what the API accepts), refreshed first when about to expire. */
  async accessToken() {
    await this.#fresh();
    return this.session.accessToken;
  }

  async #fresh() {
    if (!this.session) throw new AuthError("SignedOut", "You are signed out.");
    if (Date.now() > this.session.expiresAt - REFRESH_MARGIN_MS) {
      await this.refresh();
    }
  }

  /** Renews the tokens; concurrent callers share one request. */
  refresh() {
    this.refreshing ??= this.#renew().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async #renew() {
    if (!this.session) return;
    try {
      const result = await this.#call("InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: this.clientId,
        AuthParameters: { REFRESH_TOKEN: this.session.refreshToken },
      });
      this.#store({ RefreshToken: this.session.refreshToken, ...result.AuthenticationResult });
    } catch (error) {
      this.signOut("Your session has ended. Please sign in again.");
      throw error;
    }
  }

  /** Signs out this tab and every other open tab of the page. */
  signOut(reason = "") {
    this.channel?.postMessage({ type: "signed-out" });
    this.#end(reason);
  }

  #end(reason) {
    clearTimeout(this.refreshTimer);
    this.session = null;
    this.challenge = null;
    sessionStorage.removeItem(STORAGE_KEY);
    this.onSignedOut(reason);
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    if (!this.session) return;
    const delay = Math.max(this.session.expiresAt - REFRESH_MARGIN_MS - Date.now(), 5_000);
    this.refreshTimer = setTimeout(() => this.refresh().catch(() => {}), delay);
  }

  #store(result) {
    this.#keep({
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken,
      expiresAt: Date.now() + (result.ExpiresIn || 3600) * 1000,
    });
    this.channel?.postMessage({ type: "session", session: this.session });
  }

  #keep(session) {
    this.session = session;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    this.scheduleRefresh();
  }

  #load() {
    try {
      const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY));
      return validSession(session) && session.accessToken ? session : null;
    } catch {
      return null;
    }
  }

  async #call(action, body) {
    let response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new AuthError(
        "NetworkError",
        "The sign-in service cannot be reached. Check your connection and try again.",
      );
    }
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      const code = String(payload.__type || payload.code || "UnknownError")
        .split("#")
        .pop();
      const message = FRIENDLY_MESSAGES[code] || payload.message || payload.Message || "Sign-in failed.";
      throw new AuthError(code, message);
    }
    return payload;
  }
}
