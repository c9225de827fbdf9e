// laokg site search: matches the query against the prebuilt index (search-index.js, which
// sets window.LAOKG_INDEX) in the browser; no server. Case- and accent-insensitive, like
// `laokg search`. The things a reader looks for (laws, institutions, figures, rights, ...)
// come first: a match in a thing's own name ranks above a match in a passage quoted as its
// evidence, which is shown under it as "quoted in ...". Sources and cited works come after
// the other things, records (footnotes, periods, ...) after every thing. Within a rank: exact names, then names starting with the text,
// then a word starting with it, then any match.
(function () {
  "use strict";
  var index = window.LAOKG_INDEX || [];
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) { return; }
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function rankOf(key, words, text) {
    var f = fold(text);
    if (f === key) { return 0; }
    if (f.indexOf(key) === 0) { return 1; }
    if (f.split(/[\s\-(\/,.'"]+/).some(function (w) { return w.indexOf(key) === 0; })) { return 2; }
    if (f.indexOf(key) >= 0) { return 3; }
    if (words.length > 1 && words.every(function (w) { return f.indexOf(w) >= 0; })) { return 4; }
    return 99;
  }
  function best(key, words, names) {
    var r = 99;
    names.forEach(function (name) { r = Math.min(r, rankOf(key, words, name)); });
    return r;
  }
  function search(text) {
    var key = fold(text), words = key.split(" ");
    list.textContent = "";
    if (!key) { status.textContent = "Type a name, a title or part of one."; return; }
    var hits = [];
    index.forEach(function (entry) {
      var own = best(key, words, [entry.l, entry.c].concat(entry.a));
      var quoted = [];
      (entry.q || []).forEach(function (q) {
        var r = rankOf(key, words, q.x);
        if (r < 99) { quoted.push(q); }
      });
      // 0-4: the thing's own name; 5: only a quoted passage; records after all things
      var r = own < 99 ? own : (quoted.length ? 5 : 99);
      if (r < 99) { hits.push([entry.k * 10 + r, fold(entry.l), entry, quoted]); }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    status.textContent = hits.length + (hits.length === 1 ? " match" : " matches") + " for \u201c" + text + "\u201d";
    hits.slice(0, 200).forEach(function (hit) {
      var entry = hit[2], li = document.createElement("li"), a = document.createElement("a");
      a.href = entry.u;
      a.textContent = entry.l;
      a.title = entry.c;
      li.appendChild(a);
      if (entry.k === 2) { li.className = "record"; }
      var meta = document.createElement("span");
      meta.className = "kind";
      meta.textContent = entry.t ? " \u2014 " + entry.t : "";
      li.appendChild(meta);
      hit[3].slice(0, 3).forEach(function (q) {
        var quote = document.createElement("span");
        quote.className = "quoted";
        var excerpt = q.x.length > 160 ? q.x.slice(0, 159) + "\u2026" : q.x;
        quote.textContent = "quoted in " + q.d + ": \u201c" + excerpt + "\u201d";
        li.appendChild(quote);
      });
      list.appendChild(li);
    });
  }
  var params = new URLSearchParams(window.location.search);
  var q = params.get("q") || "";
  input.value = q;
  var header = document.getElementById("site-search");
  if (header) { header.value = q; }
  search(q);
  input.addEventListener("input", function () { search(input.value); });
}());
