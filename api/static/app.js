/* reformkg page: SPARQL editor, system network, facts table, validation findings.
 * Plain script (no build step, no CDN). Every panel reads the same JSON routes the API tests use. */
"use strict";

(function () {
  const CONFIG = JSON.parse(document.getElementById("config").textContent);
  const I18N = window.RKG_I18N;
  const RKG = "https://w3id.org/reformkg/def#";
  // the palette of graph/views.py (level_colour), so the page matches the GEXF/SVG exports
  const LEVEL_COLOURS = {
    national: "#c0392b", ministry: "#8e44ad", provincial: "#2471a3", district: "#17a589",
    commune: "#d68910", other: "#7f8c8d",
  };
  const UNKNOWN_LEVEL = "#95a5a6";
  const state = {
    lang: localStorage.getItem("reformkg.lang") ||
      ((navigator.language || "").toLowerCase().startsWith("vi") ? "vi" : "en"),
    facts: null, connections: null, placeLabels: {}, cy: null, network: null, findings: null,
  };

  // ---------------------------------------------------------------- helpers
  const $ = (id) => document.getElementById(id);
  function t(key, vars) {
    let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
    return s;
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  function shorten(iri) {
    if (typeof iri !== "string") return iri === null || iri === undefined ? "" : String(iri);
    let best = null;
    for (const [p, ns] of Object.entries(CONFIG.prefixes)) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
  }
  function placeLabel(iri) {
    const labels = state.placeLabels[iri];
    return labels ? (labels[state.lang] || labels.vi || labels.en) : shorten(iri);
  }
  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || response.status + " " + response.statusText);
    return { body, response };
  }
  function showError(target, err) {
    target.textContent = t("error") + ": " + (err && err.message ? err.message : err);
    target.classList.add("error");
  }
  function formatValue(v) {
    if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
    return v.toLocaleString(state.lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 6 });
  }

  /* The source sentence with the reported number marked. `occurrence` picks the n-th match of
   * the surface (several facts can share one sentence and one surface, e.g. "12" twice). */
  function highlighted(sentence, surface, occurrence) {
    const span = el("span", { class: "sentence" });
    if (!sentence) return span;
    // Occurrences of the surface that stand alone as a number ("9" not inside "2019" or "9,5").
    const hits = [];
    const all = [];
    for (let i = surface ? sentence.indexOf(surface) : -1; i >= 0; i = sentence.indexOf(surface, i + 1)) {
      all.push(i);
      const before = sentence.slice(Math.max(0, i - 2), i);
      const after = sentence.slice(i + surface.length, i + surface.length + 2);
      if (!/\d$|\d[.,]$/.test(before) && !/^\d|^[.,]\d/.test(after)) hits.push(i);
    }
    const candidates = hits.length ? hits : all;
    const at = candidates.length ? candidates[Math.min(occurrence || 0, candidates.length - 1)] : -1;
    if (at < 0) { span.textContent = sentence; return span; }
    span.append(sentence.slice(0, at), el("mark", { text: surface }),
      sentence.slice(at + surface.length));
    return span;
  }
  function occurrences(rows) {  // rank of each row among rows with the same sentence + surface
    const groups = new Map();
    rows.forEach((row, i) => {
      const key = (row.sentence || "") + "\u0000" + (row.surface || "");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(i);
    });
    const rank = new Array(rows.length).fill(0);
    for (const idx of groups.values()) {
      idx.sort((a, b) => (rows[a].start ?? 0) - (rows[b].start ?? 0));
      idx.forEach((rowIndex, n) => { rank[rowIndex] = n; });
    }
    return rank;
  }

  // ---------------------------------------------------------------- language
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((node) => {
      node.textContent = t(node.dataset.i18n);
    });
    document.querySelectorAll("[data-lang]").forEach((b) => {
      b.classList.toggle("active", b.dataset.lang === state.lang);
    });
    fillExamples();
    if (state.cy) state.cy.nodes().forEach((n) => n.data("label", nodeLabel(n.data())));
    renderLegend();
    if (state.facts) renderFacts();
    if (state.findings) renderFindings();
  }

  // ---------------------------------------------------------------- SPARQL editor
  function fillExamples() {
    const select = $("example");
    const current = select.value;
    select.replaceChildren(el("option", { value: "", text: t("choose") }));
    for (const q of CONFIG.examples) {
      const summary = state.lang === "vi" ? q.summary_vi : q.summary_en;
      select.append(el("option", { value: q.name, text: q.name + " — " + (summary || "") }));
    }
    select.value = current;
  }
  function sparqlURL(query, format) {
    return "/sparql?" + new URLSearchParams({ query, format }).toString();
  }
  function updateLinks(query) {
    $("dl-csv").href = sparqlURL(query, "csv");
    $("dl-json").href = sparqlURL(query, "json");
    const link = location.pathname + "#query=" + encodeURIComponent(query);
    $("permalink").href = link;
    history.replaceState(null, "", link);
  }
  function cell(term) {
    if (!term) return el("td");
    if (term.type === "uri") {
      return el("td", { title: term.value }, el("a", { href: term.value, text: shorten(term.value) }));
    }
    if (term.type === "literal" || term.type === "typed-literal") {
      const td = el("td", { text: term.value });
      if (term.datatype) td.title = shorten(term.datatype);
      if (term["xml:lang"]) td.append(el("sup", { text: "@" + term["xml:lang"] }));
      return td;
    }
    if (term.type === "triple") {
      const v = term.value;
      return el("td", { text: "<< " + [v.subject, v.predicate, v.object].map((x) => shorten(x.value)).join(" ") + " >>" });
    }
    return el("td", { text: "_:" + term.value });
  }
  async function runQuery() {
    const query = $("query").value;
    const status = $("sparql-status");
    const table = $("results");
    const text = $("results-text");
    status.classList.remove("error", "warn");
    status.textContent = t("running");
    table.replaceChildren();
    text.hidden = true;
    updateLinks(query);
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query }).toString(),
      });
      const ms = Math.round(performance.now() - started);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        const body = await response.json().catch(() => ({ error: response.statusText }));
        throw new Error(body.error);
      }
      const truncated = response.headers.get("X-Reformkg-Truncated") === "true";
      const limit = response.headers.get("X-Reformkg-Row-Limit");
      if (type.startsWith("text/turtle")) {
        text.textContent = await response.text();
        text.hidden = false;
        status.textContent = t("triples_returned", { n: response.headers.get("X-Reformkg-Rows") }) + " · " + t("elapsed", { ms });
      } else {
        const data = await response.json();
        if (typeof data.boolean === "boolean") {
          status.textContent = (data.boolean ? t("ask_true") : t("ask_false")) + " · " + t("elapsed", { ms });
        } else {
          const vars = data.head.vars;
          table.append(el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", { text: v })))));
          const tbody = el("tbody");
          for (const b of data.results.bindings) tbody.append(el("tr", {}, ...vars.map((v) => cell(b[v]))));
          table.append(tbody);
          status.textContent = t("rows_returned", { n: data.results.bindings.length }) + " · " + t("elapsed", { ms });
        }
      }
      if (truncated) {
        status.textContent += " · " + t("truncated", { limit });
        status.classList.add("warn");
      }
    } catch (err) {
      showError(status, err);
    }
  }
  function restoreQuery() {
    const fromHash = new URLSearchParams(location.hash.replace(/^#/, "")).get("query");
    const fromSearch = new URLSearchParams(location.search).get("query");
    const query = fromHash || fromSearch;
    if (query) { $("query").value = query; runQuery(); return; }
    const first = CONFIG.examples.find((q) => q.name === "facts") || CONFIG.examples[0];
    $("query").value = first ? first.text : "SELECT * WHERE { ?s ?p ?o } LIMIT 20";
    updateLinks($("query").value);
  }

  // ---------------------------------------------------------------- network
  function nodeLabel(d) {
    const base = (state.lang === "vi" ? d.label_vi : d.label_en) || d.label_vi || d.label_en || d.label || shorten(d.id);
    return d.kind === "group" && d.count ? base : base;
  }
  function renderLegend() {
    const legend = $("legend");
    legend.replaceChildren();
    for (const [level, colour] of Object.entries(LEVEL_COLOURS)) {
      legend.append(el("li", {}, el("span", { class: "swatch", style: "background:" + colour }), t("level_" + level)));
    }
    legend.append(el("li", {}, el("span", { class: "swatch square" }), t("level_group")));
    legend.append(el("li", {}, el("span", { class: "swatch dashed" }), t("planned")));
  }
  async function loadNetwork() {
    const params = new URLSearchParams({ format: "json" });
    if ($("net-province").value) params.set("province", $("net-province").value);
    if ($("net-level").value) params.set("level", $("net-level").value);
    params.set("include_planned", $("net-planned").checked ? "true" : "false");
    for (const [id, fmt] of [["dl-graphml", "graphml"], ["dl-gexf", "gexf"], ["dl-cyto", "cytoscape"]]) {
      const p = new URLSearchParams(params); p.set("format", fmt);
      $(id).href = "/graph/systems?" + p.toString();
    }
    const panel = $("node-panel");
    try {
      const { body } = await getJSON("/graph/systems?" + params.toString());
      state.network = body;
      if (!state.provinces) {  // the first, unfiltered load fills the province box
        state.provinces = {};
        for (const n of body.nodes) if (n.province) state.provinces[n.province] = n.province_label || shorten(n.province);
        fillSelect($("net-province"), Object.keys(state.provinces).sort(), (p) => state.provinces[p]);
      }
      drawNetwork(body);
    } catch (err) {
      showError(panel, err);
    }
  }
  function drawNetwork(net) {
    const xs = net.nodes.map((n) => Math.abs(n.x || 0)).concat(net.nodes.map((n) => Math.abs(n.y || 0)));
    const extent = Math.max(1e-9, ...xs);
    const scale = 320 / extent;  // layouts come in [-1, 1]; spread them over the canvas
    const elements = [];
    for (const n of net.nodes) {
      const data = Object.assign({}, n, { label: nodeLabel(n) });
      data.colour = LEVEL_COLOURS[n.level] || UNKNOWN_LEVEL;
      data.size = 18 + 6 * Math.sqrt(n.degree || 0) + (n.kind === "group" ? 6 * Math.log2(1 + (n.count || 0)) : 0);
      data.badge = n.kind === "group" && n.count ? String(n.count) : "";
      elements.push({ group: "nodes", data, position: { x: (n.x || 0) * scale, y: -(n.y || 0) * scale } });
    }
    net.edges.forEach((e, i) => {
      elements.push({ group: "edges", data: Object.assign({ id: "e" + i }, e, { countLabel: e.count ? String(e.count) : "" }) });
    });
    if (state.cy) state.cy.destroy();
    if (typeof window.cytoscape !== "function") { $("node-panel").textContent = "cytoscape.js missing"; return; }
    state.cy = window.cytoscape({
      container: $("cy"),
      elements,
      layout: { name: "preset", fit: true, padding: 30 },
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", width: "data(size)", height: "data(size)",
          label: "data(label)", "font-size": 9, "text-wrap": "wrap", "text-max-width": 120,
          "text-valign": "bottom", "text-margin-y": 3, color: "#222" } },
        { selector: "node[kind = 'group']", style: {
          shape: "round-rectangle", "border-width": 2, "border-color": "#2c3e50",
          "background-opacity": 0.85 } },
        { selector: "node[badge != '']", style: {
          label: (n) => n.data("badge") + " · " + n.data("label") } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#f1c40f" } },
        { selector: "edge", style: {
          width: 1.5, "line-color": "#95a5a6", "target-arrow-color": "#95a5a6",
          "target-arrow-shape": "triangle", "curve-style": "bezier",
          label: "data(countLabel)", "font-size": 8, color: "#555" } },
        { selector: "edge[status = 'planned']", style: {
          "line-style": "dashed", "line-color": "#e67e22", "target-arrow-color": "#e67e22" } },
      ],
    });
    state.cy.on("tap", "node", (evt) => showNode(evt.target.data()));
  }
  async function ensureRows() {
    if (!state.connections) state.connections = (await getJSON("/connections?format=json")).body.rows;
    if (!state.allFacts) state.allFacts = (await getJSON("/facts?format=json")).body.rows;
  }
  async function showNode(d) {
    const panel = $("node-panel");
    panel.replaceChildren(el("p", { text: t("loading") }));
    try { await ensureRows(); } catch (err) { showError(panel, err); return; }
    const conns = state.connections.filter((c) => c.from === d.id || c.to === d.id);
    const facts = state.allFacts.filter((f) => f.subject === d.id);
    const level = d.kind === "group" ? t("level_group") : t("level_" + (d.level || "other"));
    panel.replaceChildren(
      el("h3", { text: nodeLabel(d) }),
      el("p", { class: "meta", text: level + (d.count ? " · " + t("count") + " " + d.count : "") }),
      el("p", { class: "iri", text: shorten(d.id) }),
      el("h4", { text: t("connections") + " (" + conns.length + ")" }),
    );
    const connList = el("ul", { class: "evidence" });
    const connRank = occurrences(conns);
    conns.forEach((c, i) => {
      const other = c.from === d.id ? (c.to_label || shorten(c.to)) : (c.from_label || shorten(c.from));
      const arrow = c.from === d.id ? "→ " : "← ";
      connList.append(el("li", {},
        el("strong", { text: arrow + other }),
        el("span", { class: "meta", text: " · " + t(c.status || "operational") + (c.count ? " · " + c.count : "") + " · " + (c.source_id || "") }),
        el("br"), highlighted(c.sentence, c.surface, connRank[i])));
    });
    panel.append(conns.length ? connList : el("p", { text: t("none") }));
    panel.append(el("h4", { text: t("facts") + " (" + facts.length + ")" }));
    const factList = el("ul", { class: "evidence" });
    const factRank = occurrences(facts);
    facts.forEach((f, i) => {
      factList.append(el("li", {},
        el("strong", { text: formatValue(f.value) + " " + (f.unit || "") }),
        el("span", { class: "meta", text: " · " + (f.indicator_label || shorten(f.indicator)) + " · " + (f.period || "") }),
        el("br"), highlighted(f.sentence, f.surface, factRank[i])));
    });
    panel.append(facts.length ? factList : el("p", { text: t("none") }));
  }

  // ---------------------------------------------------------------- facts table
  async function loadPlaceLabels() {
    const query = "PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>\n" +
      "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" +
      "PREFIX rkg: <" + RKG + ">\n" +
      "SELECT DISTINCT ?place ?label WHERE { { ?x sdmx-dimension:refArea ?place } UNION { ?x rkg:province ?place } " +
      "?place rdfs:label|skos:prefLabel ?label }";
    try {
      const response = await fetch(sparqlURL(query, "json"));
      if (!response.ok) return;
      const data = await response.json();
      for (const b of data.results.bindings) {
        const lang = (b.label["xml:lang"] || "vi").slice(0, 2);
        state.placeLabels[b.place.value] = state.placeLabels[b.place.value] || {};
        state.placeLabels[b.place.value][lang] = b.label.value;
      }
    } catch (err) { /* labels are a nicety: fall back to IRIs */ }
  }
  function fillSelect(select, values, labelOf) {
    const current = select.value;
    select.replaceChildren(el("option", { value: "", text: t("all") }));
    for (const v of values) select.append(el("option", { value: v, text: labelOf ? labelOf(v) : v }));
    select.value = current;
  }
  function factFilters() {
    const params = new URLSearchParams({ format: "json" });
    for (const [id, key] of [["f-place", "place"], ["f-indicator", "indicator"], ["f-period", "period"], ["f-source", "source_id"]]) {
      if ($(id).value) params.set(key, $(id).value);
    }
    return params;
  }
  async function loadFacts() {
    const status = $("facts-status");
    status.classList.remove("error", "warn");
    status.textContent = t("loading");
    const params = factFilters();
    const csv = new URLSearchParams(params); csv.set("format", "csv");
    $("dl-facts").href = "/facts?" + csv.toString();
    try {
      const { body, response } = await getJSON("/facts?" + params.toString());
      state.facts = body;
      if (!state.factOptions) {  // the first, unfiltered load fills the filter boxes
        const uniq = (k) => [...new Set(body.rows.map((r) => r[k]).filter((v) => v !== null && v !== ""))].sort();
        state.factOptions = { place: uniq("place"), indicator: uniq("indicator"), period: uniq("period"), source: uniq("source_id") };
        state.indicatorLabels = Object.fromEntries(body.rows.map((r) => [r.indicator, r.indicator_label]));
        fillFactSelects();
      }
      renderFacts();
      if (response.headers.get("X-Reformkg-Truncated") === "true") {
        status.textContent += " · " + t("truncated", { limit: response.headers.get("X-Reformkg-Row-Limit") });
        status.classList.add("warn");
      }
    } catch (err) { showError(status, err); }
  }
  function fillFactSelects() {
    if (!state.factOptions) return;
    fillSelect($("f-place"), state.factOptions.place, placeLabel);
    fillSelect($("f-indicator"), state.factOptions.indicator, (v) => state.indicatorLabels[v] || shorten(v));
    fillSelect($("f-period"), state.factOptions.period);
    fillSelect($("f-source"), state.factOptions.source);
  }
  function renderFacts() {
    const rows = state.facts.rows;
    const table = $("facts-table");
    const head = ["value", "unit", "qualifier", "indicator", "subject", "place", "period", "source", "sentence"];
    table.replaceChildren(el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: t(h) })))));
    const tbody = el("tbody");
    const rank = occurrences(rows);
    rows.forEach((r, i) => {
      tbody.append(el("tr", {},
        el("td", { class: "num", text: formatValue(r.value) }),
        el("td", { text: r.unit || "" }),
        el("td", { text: r.qualifier || "" }),
        el("td", { title: r.indicator || "", text: r.indicator_label || shorten(r.indicator) }),
        el("td", { title: r.subject || "", text: r.subject_label || shorten(r.subject) }),
        el("td", { title: r.place || "", text: r.place ? placeLabel(r.place) : "" }),
        el("td", { text: r.period || "" }),
        el("td", { text: r.source_id || "" }),
        el("td", { class: "sentence-cell" }, highlighted(r.sentence, r.surface, rank[i]))));
    });
    table.append(tbody);
    $("facts-status").textContent = t("facts_count", { n: rows.length });
    fillFactSelects();
  }

  // ---------------------------------------------------------------- validation
  async function loadValidation() {
    const status = $("validation-status");
    status.textContent = t("validating");
    try {
      const { body } = await getJSON("/validate?format=json");
      state.findings = body;
      renderFindings();
    } catch (err) { showError(status, err); }
  }
  function renderFindings() {
    const report = state.findings;
    const findings = report.findings || report.results || [];
    const status = $("validation-status");
    status.classList.toggle("ok", findings.length === 0);
    status.textContent = findings.length === 0 ? t("conforms") : t("findings_count", { n: findings.length });
    const list = $("findings");
    list.replaceChildren();
    for (const f of findings) {
      const severity = String(f.severity || "").replace(/^.*[#/]/, "");
      list.append(el("li", { class: "finding " + severity.toLowerCase() },
        el("span", { class: "severity", text: t("severity_" + severity) }),
        el("span", { text: " " + (f.message || "") }),
        el("span", { class: "meta", text: [f.source_id, f.focus ? shorten(f.focus) : ""].filter(Boolean).join(" · ") ? " · " + [f.source_id, f.focus ? shorten(f.focus) : ""].filter(Boolean).join(" · ") : "" }),
        f.sentence ? el("br") : null,
        f.sentence ? highlighted(f.sentence, f.surface, 0) : null));
    }
  }

  // ---------------------------------------------------------------- wiring
  document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => {
    state.lang = b.dataset.lang;
    localStorage.setItem("reformkg.lang", state.lang);
    applyLanguage();
  }));
  $("example").addEventListener("change", (e) => {
    const q = CONFIG.examples.find((x) => x.name === e.target.value);
    if (q) { $("query").value = q.text; updateLinks(q.text); }
  });
  $("run").addEventListener("click", runQuery);
  $("query").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runQuery(); }
  });
  for (const id of ["net-province", "net-level", "net-planned"]) $(id).addEventListener("change", loadNetwork);
  for (const id of ["f-place", "f-indicator", "f-period", "f-source"]) $(id).addEventListener("change", loadFacts);

  applyLanguage();
  restoreQuery();
  loadPlaceLabels().then(() => { loadFacts(); loadNetwork(); loadValidation(); });
})();
