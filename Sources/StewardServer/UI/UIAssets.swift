import Hummingbird

/// The UI's only assets, served by the server itself (the Content-Security-Policy allows nothing from elsewhere
/// and no inline script or style): one style sheet, and one short script that the pages work without.
enum UIAssets {
    static let styleSheet = """
        :root { --ink: #1d232b; --muted: #5b6670; --line: #d5dbe1; --paper: #ffffff; --band: #f3f5f7; --accent: #1f5fa8;
          --good: #1e7b34; --bad: #b3261e; --warn: #8a5a00; }
        * { box-sizing: border-box; }
        body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); margin: 0; }
        a { color: var(--accent); }
        header.bar { display: flex; gap: 1.2rem; align-items: center; padding: .6rem 1.2rem; background: #16324f; color: #fff; flex-wrap: wrap; }
        header.bar a { color: #fff; text-decoration: none; }
        header.bar a[aria-current="page"] { text-decoration: underline; }
        header.bar .brand { font-weight: 700; margin-right: .6rem; }
        header.bar .who { margin-left: auto; display: flex; gap: .6rem; align-items: center; }
        header.bar form { margin: 0; }
        header.bar button { background: transparent; color: #fff; border: 1px solid #9fb3c8; border-radius: 4px; padding: .1rem .6rem; cursor: pointer; }
        main { padding: 1rem 1.2rem 3rem; max-width: 80rem; }
        footer { padding: 0 1.2rem 1rem; font-size: .85rem; }
        h1 { font-size: 1.5rem; margin: .4rem 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.6rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
        table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--band); font-weight: 600; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        .met { color: var(--good); font-weight: 600; }
        .missing { color: var(--bad); font-weight: 600; }
        .muted { color: var(--muted); }
        .notice { border-left: 4px solid var(--good); background: #eef7f0; padding: .6rem .8rem; margin: .8rem 0; }
        .error { border-left: 4px solid var(--bad); background: #fbeeed; padding: .6rem .8rem; margin: .8rem 0; }
        .error ul { margin: .3rem 0 0; }
        .tier { display: inline-block; padding: 0 .45rem; border-radius: 3px; border: 1px solid var(--line); background: var(--band); }
        form.inline { display: inline-flex; gap: .4rem; align-items: center; margin: .2rem .6rem .2rem 0; flex-wrap: wrap; }
        form.filters { display: flex; gap: .8rem; align-items: end; flex-wrap: wrap; margin: 0 0 1rem; }
        label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .15rem; }
        input, select, textarea { font: inherit; padding: .25rem .4rem; border: 1px solid #8a96a3; border-radius: 4px; color: var(--ink); }
        button { font: inherit; padding: .3rem .8rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr)); gap: 1rem; }
        figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; }
        figcaption { font-weight: 600; font-size: .9rem; margin-bottom: .3rem; }
        svg.chart { width: 100%; height: auto; display: block; }
        code { background: var(--band); padding: 0 .25rem; border-radius: 3px; }
        main.narrow { max-width: 32rem; }
        """

    /// The landing page's translation of a run link the mlflow client prints (`/#/experiments/1/runs/abc`): the
    /// fragment never reaches the server, so the browser turns it into the run page's path.
    static let script = """
        (function () {
          var match = /^#\\/experiments\\/([^\\/?#]+)(?:\\/runs\\/([^\\/?#]+))?/.exec(window.location.hash || "");
          if (match) {
            var path = "/ui/experiments/" + encodeURIComponent(decodeURIComponent(match[1]));
            if (match[2]) { path += "/runs/" + encodeURIComponent(decodeURIComponent(match[2])); }
            window.location.replace(path);
          }
          var live = document.querySelector("[data-refresh]");
          if (!live) { return; }
          window.setInterval(function () {
            fetch(window.location.href, { credentials: "same-origin" }).then(function (answer) {
              return answer.ok ? answer.text() : null;
            }).then(function (html) {
              var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById(live.id);
              if (fresh) { live.innerHTML = fresh.innerHTML; }
            }).catch(function () {});
          }, Number(live.getAttribute("data-refresh")) * 1000);
        })();
        """

    /// The tab's icon: a shield, drawn.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2 4 7v8c0 7.5 5.1 13.2 12 15 6.9-1.8 12-7.5 12-15V7z" \
        fill="#16324f"/><path d="m10 16 4 4 8-9" fill="none" stroke="#fff" stroke-width="3"/></svg>
        """

    static func response(_ text: String, contentType: String) -> Response {
        var response = Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        response.headers[.cacheControl] = "public, max-age=3600"
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        return response
    }
}
