// Boots the page: reads config.json, then shows the sign-in form or the signed-in app.
import { Api } from "./api.js";
import { CognitoAuth } from "./auth.js";
import { loadConfig } from "./config.js";
import { $ } from "./dom.js";
import { JobsPanel } from "./jobs.js";
import { JobView } from "./jobview.js";
import { ModelsView } from "./models.js";
import { askForNotifications, canAskForNotifications, toast } from "./notify.js";
import { UploadPanel } from "./upload.js";

function showView(name) {
  $("boot-status").hidden = true;
  $("auth-view").hidden = name !== "auth";
  $("app-view").hidden = name !== "app";
  $("session-bar").hidden = name !== "app";
}

/** Resolves true when the user confirms, using the page's modal dialog. */
function confirmAction({ title, text, action }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-button").textContent = action;
  dialog.returnValue = "";
  const opener = document.activeElement;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (opener?.isConnected) opener.focus();
        resolve(dialog.returnValue === "confirm");
      },
      { once: true },
    );
  });
}

async function withBusyButton(form, work) {
  const button = form.querySelector("button[type=submit]");
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "Signing in…";
  try {
    await work();
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

function setupSignIn(auth, onSignedIn) {
  const signInForm = $("sign-in-form");

  const showSignIn = (message = "") => {
    $("new-password-form")?.remove();
    $("auth-title").textContent = "Sign in to batchscore";
    signInForm.hidden = false;
    $("sign-in-error").textContent = message;
  };

  const showNewPassword = () => {
    const form = $("new-password-template").content.firstElementChild.cloneNode(true);
    form.addEventListener("submit", (event) => submitNewPassword(event, form));
    signInForm.hidden = true;
    signInForm.after(form);
    $("auth-title").textContent = "Choose a new password";
    $("new-password").focus();
  };

  const submitNewPassword = async (event, form) => {
    event.preventDefault();
    const error = $("new-password-error");
    error.textContent = "";
    if ($("new-password").value !== $("confirm-password").value) {
      error.textContent = "The two passwords do not match.";
      $("confirm-password").focus();
      return;
    }
    await withBusyButton(form, async () => {
      try {
        await auth.completeNewPassword($("new-password").value);
        showSignIn();
        onSignedIn();
      } catch (failure) {
        if (failure.code === "InvalidPasswordException") {
          error.textContent = failure.message;
          $("new-password").focus();
        } else {
          showSignIn(failure.message);
        }
      }
    });
  };

  signInForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = $("email").value.trim();
    const password = $("password").value;
    const error = $("sign-in-error");
    error.textContent = "";
    if (!email || !password) {
      error.textContent = "Enter your email and password.";
      (email ? $("password") : $("email")).focus();
      return;
    }
    await withBusyButton(signInForm, async () => {
      try {
        const outcome = await auth.signIn(email, password);
        $("password").value = "";
        if (outcome === "new-password") showNewPassword();
        else onSignedIn();
      } catch (failure) {
        error.textContent = failure.message;
        $("password").select();
        $("password").focus();
      }
    });
  });

  return showSignIn;
}

async function main() {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    $("boot-status").hidden = true;
    $("boot-error").hidden = false;
    $("boot-error").textContent = `batchscore cannot start: ${error.message}`;
    return;
  }

  const auth = new CognitoAuth(config);
  const api = new Api(config.apiUrl, auth);
  const jobView = new JobView({ api });
  const jobs = new JobsPanel({ api, confirm: confirmAction, showJob: (job) => jobView.open(job) });
  const uploads = new UploadPanel({
    api,
    onJobCreated: (job) => jobs.addCreatedJob(job),
    onUploaded: () => jobs.refresh(),
  });
  const models = new ModelsView({ api, auth, uploads });

  const enterApp = () => {
    showView("app");
    $("user-email").textContent = auth.email;
    $("enable-notifications").hidden = !canAskForNotifications();
    $("main").focus();
    jobs.start();
    const defaultModel = api.getModel();
    uploads.loadModel(defaultModel);
    models.start(defaultModel);
  };

  const showSignIn = setupSignIn(auth, enterApp);
  auth.onSignedOut = (reason) => {
    if ($("job-dialog").open) $("job-dialog").close();
    jobs.stop();
    models.stop();
    uploads.clear();
    showView("auth");
    showSignIn(reason);
    $("email").focus();
  };

  $("sign-out").addEventListener("click", () => auth.signOut());
  $("enable-notifications").addEventListener("click", async () => {
    const permission = await askForNotifications();
    $("enable-notifications").hidden = true;
    toast(permission === "granted" ? "You will be notified when a job ends." : "Notifications stay off.");
  });

  // Signed in when another tab signs in (or shares its session) while this one shows the form.
  auth.onSignedIn = () => {
    if ($("app-view").hidden) enterApp();
  };

  if (auth.signedIn) {
    auth.scheduleRefresh();
    enterApp();
  } else {
    // The form at once; an open tab that shares its session (within milliseconds) replaces it.
    showView("auth");
    auth.joinOtherTabs();
  }
}

/** --topbar-height follows the sticky top bar (it grows with notices), for scroll-padding-top. */
function trackTopbarHeight() {
  const bar = document.querySelector(".topbar");
  const set = () => document.documentElement.style.setProperty("--topbar-height", `${bar.offsetHeight}px`);
  new ResizeObserver(set).observe(bar);
  set();
}

trackTopbarHeight();
main();
