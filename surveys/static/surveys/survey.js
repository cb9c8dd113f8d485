/* Progressive enhancement only: the pages work without it.

   One click is one click: the score chosen in the email is posted as the
   survey page opens (when it is shown, not prerendered in the background),
   and again whenever the customer picks another, so a customer who closes the
   tab has answered. Link scanners fetch the page but most run no script, and a
   GET records nothing; the server answers 202 and records nothing for a
   scanner that does run it (its user agent, or a request as the email
   arrives), and the page's button still sends the answer.

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

  var form = document.querySelector("form[data-record]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("recorded");
  var send = form.querySelector("[data-send]");
  var more = document.querySelector("[data-more]");
  var queue = Promise.resolve();

  function show(message, recorded) {
    status.textContent = message;
    status.hidden = !message;
    status.classList.toggle("recorded-error", !recorded);
    if (recorded) {
      form.setAttribute("data-recorded", "");
      send.hidden = true;
      more.hidden = false;
    }
  }

  function record() {
    var body = new FormData(form);
    return window
      .fetch(form.getAttribute("data-record"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        if (response.status === 409) {
          // Final already (routed, or its time to change it is over): the
          // page as the server shows it now.
          window.location.reload();
          return;
        }
        if (response.status !== 200 && response.status !== 400) {
          return; // cookies blocked, throttled, closed: the button still works
        }
        return response.json().then(function (data) {
          show(data.message, response.status === 200);
        });
      })
      .catch(function () {
        // Offline: the button still sends the answer.
      });
  }

  // One request at a time, in the order the customer clicked.
  function recordInTurn() {
    queue = queue.then(record);
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "score") {
      recordInTurn();
    }
  });
  function recordWhenShown() {
    if (document.visibilityState === "visible") {
      recordInTurn();
      return;
    }
    document.addEventListener("visibilitychange", function shown() {
      if (document.visibilityState === "visible") {
        document.removeEventListener("visibilitychange", shown);
        recordInTurn();
      }
    });
  }

  if (!form.hasAttribute("data-recorded") && form.querySelector("input[name=score]:checked")) {
    recordWhenShown();
  } else if (form.hasAttribute("data-recorded")) {
    send.hidden = true;
  }
})();
