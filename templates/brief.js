// brief: progressive enhancement only; every mark, note and panel works without this script.
(function () {
  "use strict";
})();
