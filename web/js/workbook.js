// The first rows of a .xlsx or a .csv.gz, read in the browser for the pre-check and preview:
// the zip's directory from the end of the file, parts inflated with DecompressionStream, XML
// parsed with DOMParser. The same refusals as the server (batchscore_model/input_formats.py).
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
const SHEET_PREFIX_BYTES = 512 * 1024; // enough XML for the preview's rows
const STRINGS_PREFIX_BYTES = 1024 * 1024; // strings are numbered in order of first use
const PART_BYTES = 4 * 1024 * 1024;
const DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** An input the page refuses, with the sentence it shows. */
export class InputRefused extends Error {}

/** Up to `limit` bytes of a byte stream inflated by `format` ("gzip", "deflate-raw"); `complete`
 * when the whole stream fit. */
async function inflate(stream, format, limit) {
  const reader = stream.pipeThrough(new DecompressionStream(format)).getReader();
  const chunks = [];
  let size = 0;
  let complete = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      chunks.push(value);
      size += value.length;
      if (size >= limit) break;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { bytes: bytes.subarray(0, Math.min(size, limit)), complete: complete && size <= limit };
}

/** The first `limit` characters of the CSV inside a .csv.gz. */
export async function gunzipHead(file, limit) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) throw new InputRefused("This .csv.gz file is not gzip-compressed.");
  try {
    const { bytes, complete } = await inflate(file.stream(), "gzip", limit);
    return { text: new TextDecoder().decode(bytes), complete };
  } catch {
    throw new InputRefused("This .csv.gz file is damaged: it cannot be decompressed.");
  }
}

async function bytesOf(file, start, end) {
  return new DataView(await file.slice(start, end).arrayBuffer());
}

/** The zip's central directory: name → {method, flags, size, compressedSize, offset}. */
async function directory(file) {
  const tailStart = Math.max(0, file.size - 65_557);
  const tail = await bytesOf(file, tailStart, file.size);
  let end = -1;
  for (let i = tail.byteLength - 22; i >= 0; i -= 1) {
    if (tail.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new InputRefused("This file is not an Excel workbook (.xlsx): it is not a valid zip.");
  const count = tail.getUint16(end + 10, true);
  const size = tail.getUint32(end + 12, true);
  const offset = tail.getUint32(end + 16, true);
  const listing = await bytesOf(file, offset, offset + size);
  const names = new TextDecoder();
  const entries = new Map();
  for (let at = 0, n = 0; n < count && at + 46 <= listing.byteLength; n += 1) {
    if (listing.getUint32(at, true) !== 0x02014b50) break;
    const nameLength = listing.getUint16(at + 28, true);
    const name = names.decode(new Uint8Array(listing.buffer, listing.byteOffset + at + 46, nameLength));
    entries.set(name, {
      flags: listing.getUint16(at + 8, true),
      method: listing.getUint16(at + 10, true),
      compressedSize: listing.getUint32(at + 20, true),
      size: listing.getUint32(at + 24, true),
      offset: listing.getUint32(at + 42, true),
    });
    at += 46 + nameLength + listing.getUint16(at + 30, true) + listing.getUint16(at + 32, true);
  }
  return entries;
}

/** Up to `limit` bytes of a member, as text, and whether that is all of it. */
async function readMember(file, entry, limit) {
  const local = await bytesOf(file, entry.offset, entry.offset + 30);
  const start = entry.offset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  const body = file.slice(start, start + entry.compressedSize);
  if (entry.method === 0) {
    const text = await body.slice(0, limit).text();
    return { text, complete: entry.size <= limit };
  }
  const { bytes, complete } = await inflate(body.stream(), "deflate-raw", limit);
  return { text: new TextDecoder().decode(bytes), complete };
}

function parseXml(text, what) {
  if (/<!DOCTYPE/i.test(text.slice(0, 4096))) throw new InputRefused(`This workbook's ${what} declares a DTD.`);
  const doc = new DOMParser().parseFromString(text, "application/xml");
  if (doc.getElementsByTagName("parsererror").length > 0) throw new InputRefused(`This workbook's ${what} is damaged.`);
  return doc;
}

const all = (node, name) => [...node.getElementsByTagNameNS("*", name)];

/** Checks before any sheet is read, as the server's upload pre-check does. */
async function checkWorkbook(file) {
  const magic = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (CFB_MAGIC.every((byte, i) => magic[i] === byte)) {
    throw new InputRefused("This workbook is encrypted (password-protected) or an old .xls: save it as .xlsx without a password.");
  }
  if (magic[0] !== 0x50 || magic[1] !== 0x4b) throw new InputRefused("This file is not an Excel workbook (.xlsx).");
  const entries = await directory(file);
  for (const [name, entry] of entries) {
    if (entry.flags & 1) throw new InputRefused("This workbook is encrypted: save it without a password.");
    if (/vbaproject\.bin$/i.test(name)) throw new InputRefused("Macro-enabled workbooks (.xlsm) are refused: save it as .xlsx.");
  }
  const types = entries.get("[Content_Types].xml");
  if (!types || !entries.has("xl/workbook.xml")) throw new InputRefused("This zip file is not an Excel workbook (.xlsx).");
  const { text } = await readMember(file, types, PART_BYTES);
  if (/macroEnabled/.test(text)) throw new InputRefused("Macro-enabled workbooks (.xlsm) are refused: save it as .xlsx.");
  if (!text.includes(MAIN_TYPE)) throw new InputRefused("This zip file is not an Excel workbook (.xlsx).");
  return entries;
}

function columnIndex(ref) {
  let index = 0;
  for (const letter of ref.replace(/\d+$/, "")) index = index * 26 + letter.charCodeAt(0) - 64;
  return index - 1;
}

function isoDate(serial) {
  const base = serial < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const moment = new Date(base + Math.round(serial * 86_400) * 1000).toISOString();
  return moment.endsWith("T00:00:00.000Z") ? moment.slice(0, 10) : moment.slice(0, 19);
}

function cellValue(cell, strings, dated) {
  const type = cell.getAttribute("t") || "n";
  const v = all(cell, "v")[0]?.textContent;
  if (type === "inlineStr") return all(cell, "t").map((t) => t.textContent).join("");
  if (v === undefined) return "";
  if (type === "s") return strings[Number(v)] ?? "";
  if (type === "b") return v.trim() === "1" ? "TRUE" : "FALSE";
  if (type !== "n") return v;
  return dated.has(Number(cell.getAttribute("s") || 0)) ? isoDate(Number(v)) : v.trim();
}

/**
 * The sheet's names and the first rows of a sheet (the first, or `sheet`): {sheets, sheet,
 * rows, complete}; raises InputRefused for what the server would refuse.
 */
export async function readWorkbookHead(file, { sheet = null } = {}) {
  const entries = await checkWorkbook(file);
  const member = async (name, limit) => (entries.has(name) ? readMember(file, entries.get(name), limit) : null);
  const book = parseXml((await member("xl/workbook.xml", PART_BYTES)).text, "workbook part");
  const rels = await member("xl/_rels/workbook.xml.rels", PART_BYTES);
  const targets = new Map(
    rels
      ? all(parseXml(rels.text, "relationships"), "Relationship").map((r) => {
          const target = r.getAttribute("Target");
          return [r.getAttribute("Id"), target.startsWith("/") ? target.slice(1) : `xl/${target}`];
        })
      : [],
  );
  const sheets = all(book, "sheet").map((s) => ({
    name: s.getAttribute("name"),
    part: targets.get(s.getAttributeNS("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id")),
  }));
  const chosen = sheet === null ? sheets[0] : sheets.find((s) => s.name === sheet);
  if (!chosen) {
    const names = sheets.map((s) => `"${s.name}"`).join(", ");
    throw new InputRefused(sheet === null ? "This workbook has no sheets." : `No sheet "${sheet}": the workbook has ${names}.`);
  }
  const strings = [];
  const shared = await member("xl/sharedStrings.xml", STRINGS_PREFIX_BYTES);
  if (shared) {
    const text = shared.complete ? shared.text : `${shared.text.slice(0, shared.text.lastIndexOf("</si>") + 5)}</sst>`;
    for (const item of all(parseXml(text, "shared strings"), "si")) {
      strings.push(all(item, "t").filter((t) => t.parentNode.localName !== "rPh").map((t) => t.textContent).join(""));
    }
  }
  const dated = new Set();
  const styles = await member("xl/styles.xml", PART_BYTES);
  if (styles) {
    const doc = parseXml(styles.text, "styles");
    const custom = new Map(all(doc, "numFmt").map((f) => [Number(f.getAttribute("numFmtId")), f.getAttribute("formatCode")]));
    const xfs = all(doc, "cellXfs")[0];
    (xfs ? [...xfs.children] : []).forEach((xf, index) => {
      const id = Number(xf.getAttribute("numFmtId") || 0);
      const code = (custom.get(id) || "").replace(/"[^"]*"|\[[^\]]*\]/g, "").toLowerCase();
      if (DATE_FORMATS.has(id) || /[ydhs]/.test(code)) dated.add(index);
    });
  }
  const part = await member(chosen.part, SHEET_PREFIX_BYTES);
  if (!part) throw new InputRefused(`Sheet "${chosen.name}" has no data.`);
  const cut = part.text.lastIndexOf("</row>");
  const text = part.complete || cut < 0 ? part.text : `${part.text.slice(0, cut + 6)}</sheetData></worksheet>`;
  const rows = [];
  for (const row of all(parseXml(text, `sheet "${chosen.name}"`), "row")) {
    const values = [];
    let next = 0;
    for (const cell of all(row, "c")) {
      const ref = cell.getAttribute("r");
      const index = ref ? columnIndex(ref) : next;
      next = index + 1;
      values[index] = cellValue(cell, strings, dated);
    }
    const filled = Array.from(values, (value) => value ?? "");
    while (filled.length > 0 && filled[filled.length - 1] === "") filled.pop();
    if (filled.length > 0) rows.push(filled);
  }
  return { sheets: sheets.map((s) => s.name), sheet: chosen.name, rows, complete: part.complete };
}
