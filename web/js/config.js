// Runtime configuration: config.json is written next to the page by `make run` or the deploy.
const REQUIRED_KEYS = ["apiUrl", "region", "userPoolId", "userPoolClientId", "cognitoEndpoint"];

export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`config.json could not be loaded (HTTP ${response.status}).`);
  }
  const config = await response.json();
  const missing = REQUIRED_KEYS.filter((key) => !config[key]);
  if (missing.length > 0) {
    throw new Error(`config.json is missing ${missing.join(", ")}.`);
  }
  return { ...config, apiUrl: config.apiUrl.replace(/\/+$/, "") };
}
