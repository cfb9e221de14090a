// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Pre-select the browser's time zone on the registration form.
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-detect-timezone]");
    if (!select || select.getAttribute("aria-invalid") === "true") return;
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.querySelector('option[value="' + zone + '"]')) select.value = zone;
    } catch (e) { /* keep the server's default */ }
  });
  // htmx does not swap 4xx/5xx other than 422: say plainly that nothing was saved.
  document.addEventListener("htmx:responseError", function (event) {
    var flash = document.getElementById("flash");
    if (!flash) return;
    var status = event.detail.xhr.status;
    flash.className = "notice error";
    flash.textContent = status === 403
      ? "This page has expired. Reload it and try again; nothing was saved."
      : "Something went wrong (error " + status + "); nothing was saved. Please try again.";
  });
  document.addEventListener("htmx:sendError", function () {
    var flash = document.getElementById("flash");
    if (!flash) return;
    flash.className = "notice error";
    flash.textContent = "Could not reach AffectRange; nothing was saved. Check your connection and try again.";
  });
})();
