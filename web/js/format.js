// How values read on the page.
export const STATUS_LABELS = {
  AWAITING_UPLOAD: "Uploading",
  QUEUED: "Queued",
  PROCESSING: "Processing",
  SUCCEEDED: "Succeeded",
  FAILED: "Failed",
  REJECTED: "Rejected",
};

export const ACTIVE_STATUSES = new Set(["AWAITING_UPLOAD", "QUEUED", "PROCESSING"]);

export function statusLabel(status) {
  return STATUS_LABELS[status] || status;
}

const numberFormat = new Intl.NumberFormat();

export function formatCount(value) {
  return numberFormat.format(value);
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatDateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : dateTimeFormat.format(date);
}

export function formatRelative(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Number.isNaN(seconds)) return "";
  const steps = [
    [60, "second"],
    [60, "minute"],
    [24, "hour"],
    [7, "day"],
  ];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return unit === "second" ? "just now" : relativeFormat.format(value, unit);
    value = Math.round(value / size);
  }
  return formatDateTime(iso);
}

/** The first 8 characters of a job id: enough to tell same-name jobs apart. */
export function shortId(jobId) {
  return String(jobId || "").slice(0, 8);
}

/** `850 ms`, `4.2 s`, `3 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(Math.round(seconds) / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds) % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** The model that scored a job as {name, version}: a version like `<name>-<tag>` is split. */
export function modelParts(job) {
  const version = job.model_version || "";
  const name = job.model_name || "";
  if (name && version.startsWith(`${name}-`)) return { name, version: version.slice(name.length + 1) };
  if (name) return { name, version };
  const cut = version.lastIndexOf("-");
  return cut > 0 ? { name: version.slice(0, cut), version: version.slice(cut + 1) } : { name: "", version };
}
