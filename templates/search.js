// brief search: loads the site's search-index.json once and searches it in the browser. No
// server and nothing from elsewhere, so it works on any static host and offline. A word matches
// the start of a word (accents and case ignored); a "phrase in quotes" matches as a whole; every
// term must match somewhere in a briefing (title, tags, summary, speakers, questions, quotes).
// Results are built with textContent only: nothing from the index is parsed as HTML.
(function () {
  "use strict";
  var doc = document;
  var form = doc.querySelector(".search-form");
  if (!form || !window.fetch || !String.prototype.normalize) {
    return;
  }
  var input = form.querySelector("input");
  var status = doc.getElementById("search-status");
  var out = doc.getElementById("search-results");
  var base = form.getAttribute("data-base");
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var SHOWN = 50;
  var data = null;
  form.hidden = false;

  // Lower case, no accents, words separated by single spaces, padded with spaces so that
  // `indexOf(" " + term)` finds terms at the start of a word.
  function norm(s) {
    return " " + String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim() + " ";
  }

  function terms(query) {
    var found = [];
    String(query).replace(/"([^"]*)"?|(\S+)/g, function (_, phrase, word) {
      var t = norm(phrase || word).trim();
      if (t) {
        found.push(" " + t);
      }
    });
    return found;
  }

  function prepare(index) {
    var people = index.speakers.map(function (s) {
      return { url: base + "speakers/" + s[0] + "/", name: s[1], n: norm(s[1]) };
    });
    var questions = index.questions.map(function (q) {
      return { url: base + "questions/" + q[0] + "/", name: q[1], n: norm(q[1]) };
    });
    var briefings = index.briefings.map(function (b) {
      var url = base + "briefings/" + b.slug + "/";
      // [normalised text, weight]: a match in the title counts most.
      var fields = [[norm(b.title), 8], [norm((b.tags || []).join(" ")), 4], [norm(b.summary), 3]];
      (b.speakers || []).forEach(function (i) { fields.push([people[i].n, 5]); });
      (b.questions || []).forEach(function (i) { fields.push([questions[i].n, 4]); });
      var quotes = (b.quotes || []).map(function (q) {
        fields.push([norm(q[2]), 2]);
        return { url: url + "#" + q[0], who: people[q[1]].name, text: q[2], n: norm(q[2]) };
      });
      return { b: b, url: url, fields: fields, quotes: quotes };
    });
    return { people: people, questions: questions, briefings: briefings };
  }

  function matchesAll(text, ts) {
    return ts.every(function (t) { return text.indexOf(t) >= 0; });
  }

  // The sum over terms of the best field weight each term matches in; 0 if one matches none.
  function score(entry, ts) {
    var total = 0;
    for (var i = 0; i < ts.length; i++) {
      var best = 0;
      entry.fields.forEach(function (f) {
        if (f[1] > best && f[0].indexOf(ts[i]) >= 0) {
          best = f[1];
        }
      });
      if (!best) {
        return 0;
      }
      total += best;
    }
    return total;
  }

  function el(name, text, cls) {
    var e = doc.createElement(name);
    if (text) {
      e.textContent = text;
    }
    if (cls) {
      e.className = cls;
    }
    return e;
  }

  function link(href, text) {
    var a = el("a", text);
    a.href = href;
    return a;
  }

  function date(iso) {
    var p = iso.split("-");
    return +p[2] + " " + MONTHS[+p[1] - 1] + " " + p[0];
  }

  function section(title, items) {
    var s = el("section", "", "section");
    s.appendChild(el("h2", title));
    var ul = el("ul", "", "chips");
    items.forEach(function (x) {
      var li = el("li");
      li.appendChild(link(x.url, x.name));
      ul.appendChild(li);
    });
    s.appendChild(ul);
    return s;
  }

  function card(hit, ts) {
    var b = hit.b;
    var li = el("li", "", "card");
    var kicker = el("p", "", "kicker");
    var time = el("time", date(b.date));
    time.setAttribute("datetime", b.date);
    kicker.appendChild(time);
    li.appendChild(kicker);
    var h = el("h2");
    h.appendChild(link(hit.url, b.title));
    li.appendChild(h);
    if (b.summary) {
      li.appendChild(el("p", b.summary, "summary"));
    }
    var quotes = hit.quotes.filter(function (q) {
      return ts.some(function (t) { return q.n.indexOf(t) >= 0; });
    });
    if (quotes.length) {
      var ul = el("ul", "", "search-hits");
      quotes.slice(0, 3).forEach(function (q) {
        var item = el("li");
        var a = link(q.url, "");
        a.appendChild(el("q", q.text));
        item.appendChild(a);
        item.appendChild(doc.createTextNode(" (" + q.who + ")"));
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    return li;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function run() {
    var query = input.value;
    var ts = terms(query);
    out.textContent = "";
    if (!data) {
      return;
    }
    try {
      history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
    } catch (e) {
      // Some browsers refuse on file: URLs; the search works all the same.
    }
    if (!ts.length) {
      status.textContent = "Type to search " + plural(data.briefings.length, "briefing") + ".";
      return;
    }
    var named = function (x) { return matchesAll(x.n, ts); };
    var people = data.people.filter(named);
    var questions = data.questions.filter(named);
    var hits = data.briefings
      .map(function (e, i) { return { e: e, s: score(e, ts), i: i }; })
      .filter(function (h) { return h.s > 0; })
      // Best first; the index lists briefings newest first, which breaks ties.
      .sort(function (a, b) { return b.s - a.s || a.i - b.i; });
    if (people.length) {
      out.appendChild(section("Speakers", people));
    }
    if (questions.length) {
      out.appendChild(section("Questions", questions));
    }
    if (hits.length) {
      var ol = el("ol", "", "cards");
      hits.slice(0, SHOWN).forEach(function (h) { ol.appendChild(card(h.e, ts)); });
      out.appendChild(ol);
    }
    var found = [plural(hits.length, "briefing")];
    if (people.length) {
      found.push(plural(people.length, "speaker"));
    }
    if (questions.length) {
      found.push(plural(questions.length, "question"));
    }
    status.textContent = hits.length || people.length || questions.length
      ? "Found " + found.join(", ") + (hits.length > SHOWN ? "; the best " + SHOWN + " briefings are shown." : ".")
      : "Nothing matches. Try fewer or shorter words.";
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    run();
  });
  input.addEventListener("input", run);
  input.value = new URLSearchParams(location.search).get("q") || "";
  status.textContent = "Loading the search index…";
  fetch(form.getAttribute("data-index"))
    .then(function (r) {
      if (!r.ok) {
        throw new Error(r.status);
      }
      return r.json();
    })
    .then(function (index) {
      data = prepare(index);
      run();
    })
    .catch(function () {
      status.textContent = "The search index could not be loaded. Every briefing is listed on the front page.";
    });
  input.focus();
})();
