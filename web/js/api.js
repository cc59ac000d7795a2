// The batchscore HTTP API: JSON in and out, the Cognito ID token as a bearer token.
export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export class Api {
  constructor(baseUrl, auth) {
    this.baseUrl = baseUrl;
    this.auth = auth;
  }

  getModel() {
    return this.#request("GET", "/model");
  }

  listJobs({ status = "", archived = false, limit = 10, nextToken = "" } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (status) query.set("status", status);
    if (archived) query.set("archived", "true");
    if (nextToken) query.set("next_token", nextToken);
    return this.#request("GET", `/jobs?${query}`);
  }

  getJob(jobId) {
    return this.#request("GET", `/jobs/${encodeURIComponent(jobId)}`);
  }

  /** `model` is "name" (its champion) or "name@version"; left out, the default model scores. */
  createJob(filename, model = "", sheet = null) {
    const body = model ? { filename, model } : { filename };
    if (sheet !== null) body.sheet = sheet; // an .xlsx's sheet to read (default: the first)
    return this.#request("POST", "/jobs", body);
  }

  // The model registry (GET /models answers 404 where the registry is not deployed).

  listModels() {
    return this.#request("GET", "/models");
  }

  getModelDetails(name) {
    return this.#request("GET", `/models/${encodeURIComponent(name)}`);
  }

  getModelVersion(name, version) {
    return this.#request(
      "GET",
      `/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`,
    );
  }

  /** `expectedVersion`: where the page saw the alias; if it moved since, the API answers 409. */
  moveAlias(name, alias, version, reason, expectedVersion = "") {
    const body = expectedVersion ? { version, reason, expected_version: expectedVersion } : { version, reason };
    return this.#request(
      "PUT",
      `/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`,
      body,
    );
  }

  listRuns(name) {
    return this.#request("GET", `/models/${encodeURIComponent(name)}/runs`);
  }

  retrain(name) {
    return this.#request("POST", `/models/${encodeURIComponent(name)}/retrain`, {});
  }

  getResult(jobId) {
    return this.#request("GET", `/jobs/${encodeURIComponent(jobId)}/result`);
  }

  retryJob(jobId) {
    return this.#request("POST", `/jobs/${encodeURIComponent(jobId)}/retry`);
  }

  archiveJob(jobId, archived = true) {
    return this.#request("POST", `/jobs/${encodeURIComponent(jobId)}/archive`, { archived });
  }

  deleteJob(jobId) {
    return this.#request("DELETE", `/jobs/${encodeURIComponent(jobId)}`);
  }

  async #request(method, path, body, { retried = false } = {}) {
    const headers = { Authorization: `Bearer ${await this.auth.accessToken()}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "NetworkError", "The batchscore API cannot be reached. Check your connection.");
    }
    if (response.status === 401 && !retried) {
      await this.auth.refresh();
      return this.#request(method, path, body, { retried: true });
    }
    const payload = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = (payload && payload.error) || {};
      throw new ApiError(
        response.status,
        error.code || `HTTP${response.status}`,
        error.message || `The request failed (HTTP ${response.status}).`,
        error.details || [],
      );
    }
    return payload;
  }
}

/** POSTs a file to a presigned S3 form; XMLHttpRequest because fetch reports no upload progress. */
export function uploadToPresignedPost({ url, fields }, file, onProgress) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(
          new ApiError(request.status, "UploadFailed", `The upload was refused (HTTP ${request.status}).`),
        );
      }
    });
    request.addEventListener("error", () =>
      reject(new ApiError(0, "UploadFailed", "The upload failed: network error.")),
    );
    request.addEventListener("abort", () =>
      reject(new ApiError(0, "UploadAborted", "The upload was cancelled.")),
    );
    request.send(form);
  });
}
