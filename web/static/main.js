// Starts the page: loads the wasm (preloaded by index.html) and mounts the app on #app. A file of
// its own, not an inline script: the Worker's Content-Security-Policy allows only 'self'.
import init from "/mtasts_web.js";

init().catch((error) => {
  const app = document.getElementById("app");
  if (app) {
    app.textContent = "";
    const main = document.createElement("main");
    main.id = "main";
    const heading = document.createElement("h1");
    heading.textContent = "mtasts";
    const alert = document.createElement("p");
    alert.setAttribute("role", "alert");
    alert.textContent = "The checker could not start in this browser: it needs WebAssembly. The command line does the same: mtasts check example.com";
    main.append(heading, alert);
    app.append(main);
  }
  console.error(error);
});
