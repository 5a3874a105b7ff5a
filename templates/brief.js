// brief: progressive enhancement only. Without this script every mark, note and panel is
// still on the page (notes as numbered endnotes). With it, a briefing page gains:
// - speaker labels at each speaker's first quote, and spoken labels for every quote;
// - notes beside their marks (in the margin on wide screens, behind a button on small ones);
// - focus on one speaker or question (`?speaker=<id>`, `?question=<id>`), and the whole of a
//   split annotation lit up when linked to (`#<id>`).
// It never writes text inside a mark: the text under a mark stays exactly the article's.
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var body = doc.getElementById("text_");
  var briefing = doc.querySelector(".briefing");
  root.classList.add("js");
  if (!body || !briefing) {
    return;
  }

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || doc).querySelectorAll(selector));
  }

  function marksOf(id) {
    return all("[data-ann]", body).filter(function (m) {
      return m.getAttribute("data-ann").split(" ").indexOf(id) >= 0;
    });
  }

  // Speaker names from the panel, so labels need no second copy of the data.
  var speakers = {};
  all(".spk[data-speaker]").forEach(function (li) {
    speakers[li.getAttribute("data-speaker")] = {
      short: li.getAttribute("data-short"),
      name: li.getAttribute("data-name"),
    };
  });

  function labelQuotes() {
    all(".quote[id][data-speaker]", body).forEach(function (m) {
      var s = speakers[m.getAttribute("data-speaker")];
      if (!s) {
        return;
      }
      m.setAttribute("data-who", s.name);
      if (m.classList.contains("first")) {
        m.setAttribute("data-label", s.short);
      }
    });
  }

  // Where a note goes: after the outermost mark holding the annotation's first piece, and out
  // of any inline element (a link, emphasis) around it; after a table rather than in a cell.
  function insertionPoint(mark) {
    var node = mark;
    while (node.parentNode && node.parentNode !== body && isInline(node.parentNode)) {
      node = node.parentNode;
    }
    var table = node.closest ? node.closest("table") : null;
    return table && body.contains(table) ? table : node;
  }

  function isInline(el) {
    return el.hasAttribute("data-ann") || /^(A|EM|STRONG|CODE|DEL|S|SPAN|SUP|SUB|B|I|U|SMALL|ABBR|CITE|Q|MARK)$/.test(el.tagName);
  }

  function placeNotes() {
    var placed = new Map();
    all(".endnotes .note[data-for]").forEach(function (note) {
      var id = note.getAttribute("data-for");
      var mark = doc.getElementById(id);
      if (!mark || !body.contains(mark)) {
        return;
      }
      var number = note.getAttribute("data-n");
      var side = doc.createElement("span");
      side.className = note.className + " sidenote";
      side.id = "s_" + id;
      side.setAttribute("role", "note");
      ["data-for", "data-speaker", "data-q"].forEach(function (a) {
        if (note.hasAttribute(a)) {
          side.setAttribute(a, note.getAttribute(a));
        }
      });
      all(":scope > *", note).forEach(function (child) {
        var copy = child.cloneNode(true);
        all("[id]", copy).forEach(function (el) {
          el.removeAttribute("id");
        });
        side.appendChild(copy);
      });
      var sup = doc.createElement("sup");
      sup.className = "nref";
      sup.setAttribute("aria-hidden", "true");
      sup.textContent = number;
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "nref-btn";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", side.id);
      var hidden = doc.createElement("span");
      hidden.className = "vh";
      hidden.textContent = "Note ";
      button.appendChild(hidden);
      button.appendChild(doc.createTextNode(number));
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        side.classList.toggle("open", open);
      });
      // Notes sharing a place keep their order: each goes after the ones placed there before.
      var at = insertionPoint(mark);
      var after = placed.get(at) || at;
      if (after !== at) {
        sup.textContent = "," + number;
      }
      var next = after.nextSibling;
      at.parentNode.insertBefore(sup, next);
      at.parentNode.insertBefore(button, next);
      at.parentNode.insertBefore(side, next);
      placed.set(at, side);
      mark.setAttribute("aria-details", side.id);
    });
  }

  // Focus: one speaker or question at a time; its marks and notes stand out, others dim.
  var bar = doc.getElementById("focus_");
  var live = doc.getElementById("live_");
  var focus = null;
  var step = -1;

  function matches(el, kind, id) {
    if (kind === "speaker") {
      return el.getAttribute("data-speaker") === id;
    }
    return (el.getAttribute("data-q") || "").split(" ").indexOf(id) >= 0;
  }

  function focusTargets() {
    return all(".ann[id].is-match", body);
  }

  function setFocus(kind, id, quiet) {
    var button = kind && doc.querySelector('.focus-btn[data-focus="' + kind + '"][data-id="' + cssEscape(id) + '"]');
    if (!button) {
      kind = null;
    }
    focus = kind ? { kind: kind, id: id } : null;
    step = -1;
    briefing.classList.toggle("focusing", !!focus);
    all(".ann, .sidenote, .spk, .q").forEach(function (el) {
      var own = el.classList.contains("spk") ? "speaker" : el.classList.contains("q") ? "question" : null;
      var hit = false;
      if (focus) {
        hit = own ? own === focus.kind && (el.getAttribute("data-" + own) === focus.id) : matches(el, focus.kind, focus.id);
      }
      el.classList.toggle("is-match", hit);
    });
    all(".focus-btn").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b === button));
    });
    bar.hidden = !focus;
    bar.className = "focus-bar";
    if (focus) {
      var holder = button.closest("li");
      var name = holder.getAttribute("data-name");
      var count = focusTargets().length;
      Array.prototype.forEach.call(holder.classList, function (c) {
        if (/^sp-\d$/.test(c)) {
          bar.classList.add(c);
        }
      });
      bar.querySelector(".focus-name").textContent = name;
      bar.querySelector(".focus-count").textContent = count + (count === 1 ? " marked passage" : " marked passages");
      if (!quiet) {
        live.textContent = "Showing " + count + " marked passages for " + name + ".";
      }
    } else if (!quiet) {
      live.textContent = "Showing all marked passages.";
    }
    writeUrl();
  }

  function writeUrl() {
    if (!window.history || !history.replaceState) {
      return;
    }
    var query = focus ? "?" + focus.kind + "=" + encodeURIComponent(focus.id) : "";
    history.replaceState(null, "", location.pathname + query + location.hash);
  }

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
  }

  function goTo(mark) {
    var id = mark.id;
    if (window.history && history.replaceState) {
      history.replaceState(null, "", location.pathname + location.search + "#" + id);
    }
    showTarget(id);
    var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    mark.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
  }

  // A linked annotation: every piece of it, and its note, not only the first piece.
  function showTarget(id) {
    all(".is-target").forEach(function (el) {
      el.classList.remove("is-target");
    });
    if (!id) {
      return;
    }
    marksOf(id).forEach(function (m) {
      m.classList.add("is-target");
    });
    var side = doc.getElementById("s_" + id);
    if (side) {
      side.classList.add("is-target");
    }
  }

  function currentHash() {
    try {
      return decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return "";
    }
  }

  function bind() {
    all(".focus-btn").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        var same = focus && focus.kind === b.getAttribute("data-focus") && focus.id === b.getAttribute("data-id");
        if (same) {
          setFocus(null);
        } else {
          setFocus(b.getAttribute("data-focus"), b.getAttribute("data-id"));
        }
      });
    });
    bar.addEventListener("click", function (e) {
      var t = e.target.closest("button");
      if (!t) {
        return;
      }
      if (t.hasAttribute("data-clear")) {
        setFocus(null);
        return;
      }
      var targets = focusTargets();
      if (!targets.length) {
        return;
      }
      step = (step + Number(t.getAttribute("data-step")) + targets.length) % targets.length;
      goTo(targets[step]);
      live.textContent = "Passage " + (step + 1) + " of " + targets.length + ".";
    });
    doc.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && focus) {
        setFocus(null);
      }
    });
    window.addEventListener("hashchange", function () {
      showTarget(currentHash());
    });
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    if (params.get("speaker")) {
      setFocus("speaker", params.get("speaker"), true);
    } else if (params.get("question")) {
      setFocus("question", params.get("question"), true);
    }
    showTarget(currentHash());
  }

  labelQuotes();
  placeNotes();
  bind();
  restore();
})();
