// The search page: Pagefind (plugins/site_search) with our own markup.
// Loaded only on /zoeken/. The form still works as a plain GET form: the
// query is read from ?q= on load, so the header's box lands here with it.
const form = document.querySelector("[data-site-search]");
const input = form.querySelector("input[name=q]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const MAX_RESULTS = 10;
let pagefind = null;
let latest = 0;
let shown = null; // the query whose results are on the page

function message(key, values) {
  return form.dataset[`message${key}`].replace(/\{(\w+)\}/g, (_m, name) => values[name] ?? "");
}

// Pagefind's excerpt is HTML with <mark> around the matched words; keep only
// its text and the marks.
function excerptNodes(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const nodes = [];
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  }
  return nodes;
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search__result";
  const heading = document.createElement("h2");
  heading.className = "search__result-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const excerpt = document.createElement("p");
  excerpt.className = "search__excerpt";
  excerpt.append(...excerptNodes(data.excerpt));
  item.append(heading, excerpt);
  return item;
}

async function run(query) {
  const ticket = ++latest;
  query = query.trim();
  // Never rebuild the same list: a reader's focus may be on one of its links.
  if (query === shown) return;
  if (!query) {
    shown = null;
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = message("Searching", {});
  try {
    if (!pagefind) {
      pagefind = await import(form.dataset.siteSearch);
      await pagefind.init();
    }
    const search = await pagefind.search(query);
    const data = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
    if (ticket !== latest) return;
    list.replaceChildren(...data.map(resultItem));
    shown = query;
    const count = search.results.length;
    const key = count === 0 ? "None" : count === 1 ? "One" : "Many";
    status.textContent = message(key, { count: count.toLocaleString("nl-BE"), query });
  } catch (error) {
    if (ticket !== latest) return;
    status.textContent = message("Failed", {});
    throw error;
  }
}

function remember(query) {
  const url = new URL(window.location.href);
  if (query) url.searchParams.set("q", query);
  else url.searchParams.delete("q");
  window.history.replaceState(null, "", url);
}

let timer = 0;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  window.clearTimeout(timer);
  remember(input.value.trim());
  run(input.value);
});

input.addEventListener("input", () => {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    remember(input.value.trim());
    run(input.value);
  }, 300);
});

const initial = new URLSearchParams(window.location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
