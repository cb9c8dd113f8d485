/* Progressive enhancement only: the pages work without it.
   Disable a form's button once it is sent, so a double tap sends one answer
   (the server would cope with two, but the second would change the page). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var buttons = event.target.querySelectorAll("button[type=submit]");
    // After the browser has collected the form data, not before.
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
  // Coming back with the Back button restores the page from memory: enable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
})();
