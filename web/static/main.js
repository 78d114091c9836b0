// Starts the page: picks the module for the path, loads its glue and its wasm at once, and mounts
// the app on #app. A file of its own, not an inline script: the Worker's Content-Security-Policy
// allows only 'self'.
//
// Two modules (`make web`): `/mtasts_web*` has the check page only, so the first load carries
// only what the check needs; `/tools/mtasts_web*` has every page and is loaded for the pages only
// it shows (the same paths as `Route::in_this_module` in web/src/route.rs). Moving between the
// two is a page load.
const TOOL_PAGES = ["/lint", "/generate", "/reports"];
const path = location.pathname.replace(/\/+$/, "");
const base = TOOL_PAGES.includes(path) ? "/tools/mtasts_web" : "/mtasts_web";
const wasm = fetch(`${base}_bg.wasm`);

const start = import(`${base}.js`).then(({ default: init }) => init({ module_or_path: wasm }));
start.catch((error) => {
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
