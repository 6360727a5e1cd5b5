using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using MediaLibrary.Tests.Search;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace MediaLibrary.Tests.Ui;

[Collection(nameof(BrowserCollection))]
public sealed partial class UiTests(UiApp app) : IClassFixture<UiApp>
{
    private ChromeDriver Browser => app.Browser;

    [Fact]
    public async Task Sign_in_with_a_token_by_keyboard_and_a_wrong_one_is_refused()
    {
        Browser.Manage().Cookies.DeleteAllCookies();
        Browser.Navigate().GoToUrl(app.Url("/"));
        Browser.ExecuteScript("sessionStorage.clear(); localStorage.clear()");
        Browser.Navigate().GoToUrl(app.Url("/"));
        // The server's address leads a browser to the UI, which asks for a token.
        var input = Until(() => Find("#token"));
        Assert.Equal(app.Url("/ui/"), Browser.Url);
        Assert.False(Find("#account")!.Displayed);
        Assert.Equal("token", Browser.SwitchTo().ActiveElement().GetAttribute("id"));
        input.SendKeys("ml_not-a-real-token" + Keys.Enter);
        Assert.Contains("did not accept", Until(() => Text("#signin-error") is { Length: > 0 } text ? text : null));
        Screenshot("sign-in");

        input.Clear();
        input.SendKeys(app.Token + Keys.Enter);
        Until(() => Find("#grid"));
        Assert.Equal(app.Token, Browser.ExecuteScript("return sessionStorage.getItem('medialibrary.token')"));
        // By default the token stays in this tab only.
        Assert.Null(Browser.ExecuteScript("return localStorage.getItem('medialibrary.token')"));
        // The token is never in the URL.
        Assert.DoesNotContain(app.Token, Browser.Url);

        // "Remember me on this device": a new tab (an empty sessionStorage) is still signed in,
        // until signing out forgets it everywhere.
        Find("#signout")!.Click();
        input = Until(() => Find("#token"));
        Find("#remember")!.Click();
        input.SendKeys(app.Token + Keys.Enter);
        Until(() => Find("#grid"));
        Assert.Equal(app.Token, Browser.ExecuteScript("return localStorage.getItem('medialibrary.token')"));
        Browser.ExecuteScript("sessionStorage.clear()");
        Browser.Navigate().Refresh();
        Until(() => Find("#grid"));
        Find("#signout")!.Click();
        Until(() => Find("#token"));
        Assert.Null(Browser.ExecuteScript("return localStorage.getItem('medialibrary.token')"));
        Assert.Null(Browser.ExecuteScript("return sessionStorage.getItem('medialibrary.token')"));
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Search_filter_and_scroll_to_the_end_then_open_an_entry_by_keyboard()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var asset = await client.UploadAsync(SampleFiles.DecodableJpeg(320, 240), "harbour.jpg");
        // The revoked one has a file of its own: a revoked entry stops every entry that shares its file.
        var own = await client.UploadAsync(SampleFiles.DecodableJpeg(320, 240), "withdrawn.jpg");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.AddRange(await client.ImportManyAsync(i == 0 ? own : asset, Enumerable.Range(0, i == 0 ? 1 : 30).Select(n => new JsonObject { ["title"] = $"Harbour {word} {(i * 30) + n}", ["credit"] = "Agency" })));
            if (i == 0)
            {
                ids.AddRange(await client.ImportManyAsync(asset, Enumerable.Range(1, 29).Select(n => new JsonObject { ["title"] = $"Harbour {word} {n}", ["credit"] = "Agency" })));
            }
        }

        (await client.PatchOpsAsync(ids[0], ApiCalls.Op("revokeAsset", ("note", "expired licence")))).EnsureSuccessStatusCode();
        SignIn();

        var search = Until(() => Find("#q"));
        search.SendKeys(word);
        Until(() => Text("#count")?.StartsWith("90 entries, 40 shown", StringComparison.Ordinal) == true ? true : (bool?)null);
        // Thumbnails come from serve-image transforms, each with alt text.
        Until(() => Browser.ExecuteScript("return [...document.querySelectorAll('#grid img')].filter(i => i.complete && i.naturalWidth > 0).length >= 8") is true ? true : (bool?)null);
        AssertAltText();
        Screenshot("library");

        // Endless scrolling: reaching the bottom loads the next pages until all 90 are shown.
        Until(() =>
        {
            Browser.ExecuteScript("window.scrollTo(0, document.body.scrollHeight)");
            return Browser.FindElements(By.CssSelector("#grid li")).Count == 90 ? true : (bool?)null;
        }, seconds: 20);
        var shown = Browser.FindElements(By.CssSelector("#grid li")).Select(li => li.GetAttribute("data-id")).ToList();
        Assert.Equal(ids.Order(), shown.Order());
        Assert.Equal("90 entries, 90 shown", Text("#count"));

        // A filter narrows the same search.
        Choose("#state", "revoked");
        Until(() => Text("#count") == "1 entry, 1 shown" ? true : (bool?)null);
        Assert.Equal(ids[0], Find("#grid li")!.GetAttribute("data-id"));
        Choose("#state", "");
        Until(() => Text("#count")?.StartsWith("90 entries", StringComparison.Ordinal) == true ? true : (bool?)null);

        // A search that finds nothing says so.
        Find("#q")!.SendKeys("zzznothing");
        Until(() => Text("#count") == "Nothing matches these words and filters." ? true : (bool?)null);
        Assert.Empty(Browser.FindElements(By.CssSelector("#grid li")));
        var q = Find("#q")!;
        q.Clear();
        q.SendKeys(word);
        Until(() => Text("#count")?.StartsWith("90 entries", StringComparison.Ordinal) == true ? true : (bool?)null);

        // Keyboard: from the search field, Tab reaches the tiles; Enter opens one.
        Browser.ExecuteScript("window.scrollTo(0, 0)");
        Find("#q")!.Click();
        for (var i = 0; i < 30 && Browser.ExecuteScript("return !!document.activeElement.closest('.tile')") is not true; i++)
        {
            Browser.SwitchTo().ActiveElement().SendKeys(Keys.Tab);
        }

        var focused = (string)Browser.ExecuteScript("return document.activeElement.closest('.tile').dataset.id")!;
        Browser.SwitchTo().ActiveElement().SendKeys(Keys.Enter);
        Until(() => Browser.Url.EndsWith($"#/entry/{focused}", StringComparison.Ordinal) ? true : (bool?)null);
        Until(() => Find("#metadata"));
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Upload_two_files_and_the_refused_one_shows_the_servers_message()
    {
        var client = await app.ReaderWriterAsync();
        var folder = Directory.CreateTempSubdirectory("ml-ui-upload-");
        try
        {
            var good = Path.Combine(folder.FullName, "lighthouse-at-dusk.jpg");
            var bad = Path.Combine(folder.FullName, "installer.exe");
            await File.WriteAllBytesAsync(good, SampleFiles.DecodableJpeg(640, 480));
            var badBytes = "MZ\u0090\0\u0003\0\0\0 not an image, a video or a document"u8.ToArray();
            await File.WriteAllBytesAsync(bad, badBytes);
            // What the server says about that file, asked directly.
            var refusal = await (await client.PostAsync("/api/2026-05/mediaLibrary/assets?filename=installer.exe", new ByteArrayContent(badBytes))).JsonAsync(HttpStatusCode.UnsupportedMediaType);
            var message = refusal.GetProperty("error_details").GetProperty("message").GetString()!;

            SignIn();
            Until(() => Find("#files")).SendKeys(good + "\n" + bad);
            var done = Until(() => Find("li[data-file='lighthouse-at-dusk.jpg'] .done"));
            Assert.Equal("Uploaded:", done.Text.Trim());
            var error = Until(() => Find("li[data-file='installer.exe'] .error"));
            Assert.Equal($"Refused: {message}", error.Text);
            Assert.Equal("1", Find("li[data-file='lighthouse-at-dusk.jpg'] progress")!.GetAttribute("value"));
            Until(() => Browser.ExecuteScript("const i = document.querySelector('#grid img[alt=\"lighthouse-at-dusk\"]'); return !!i && i.complete && i.naturalWidth > 0") is true ? true : (bool?)null);
            Screenshot("upload");

            // The uploaded file is an entry, titled after its name, and in the grid.
            var found = await client.SearchAsync("q=lighthouse+dusk");
            var entry = Assert.Single(found.GetProperty("results").EnumerateArray());
            Assert.Equal("lighthouse-at-dusk", entry.GetProperty("metadata").GetProperty("title").GetString());
            Assert.Equal("image", entry.GetProperty("mediaType").GetString());
            Until(() => Find($"#grid li[data-id='{entry.GetProperty("id").GetString()}']"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Edit_metadata_shows_the_servers_validation_message_beside_the_field_then_saves_a_valid_value()
    {
        var client = await app.ReaderWriterAsync();
        var id = await ImportPictureAsync(client, new JsonObject
        {
            ["title"] = "Quay in fog", ["priority"] = 2, ["captureDate"] = "2026-03-14T09:19:00.000+01:00", ["tags"] = new JsonArray("fog", "quay"),
            ["validity"] = new JsonObject { ["from"] = "2020-01-01T00:00:00.000+02:00" },
        });
        SignIn();
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        var priority = Until(() => Find("#field-priority"));
        Assert.Equal("2", priority.GetAttribute("value"));
        // The browser's own checks are off: the server's message is what the editor sees.
        Browser.ExecuteScript("document.getElementById('field-priority').removeAttribute('max')");
        priority.Clear();
        priority.SendKeys("99");
        var title = Find("#field-title")!;
        title.Clear();
        title.SendKeys("Quay in morning fog");
        Find("#save")!.Click();

        var server = await (await client.PatchOpsAsync(id, ApiCalls.SetMetadata("priority", 99))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        var expected = server.EnumerateObject().Single().Value.GetString()!;
        var error = Until(() => Text("#error-priority") is { Length: > 0 } text ? text : null);
        Assert.Equal(expected, error);
        Assert.Equal("true", Find("#field-priority")!.GetAttribute("aria-invalid"));
        Assert.Equal("error-priority", Find("#field-priority")!.GetAttribute("aria-describedby"));
        Assert.Equal("", Text("#error-title"));
        Screenshot("entry-validation");
        AssertFitsTheWindow();
        // Nothing was saved: the PATCH is atomic.
        var unchanged = await client.GetEntryAsync(id);
        Assert.Equal("Quay in fog", unchanged.GetProperty("metadata").GetProperty("title").GetString());

        priority = Find("#field-priority")!;
        priority.Clear();
        priority.SendKeys("5");
        Find("#save")!.Click();
        Until(() => Text("#status") == "Saved." ? true : (bool?)null);
        var saved = await client.GetEntryAsync(id);
        Assert.Equal(5, saved.GetProperty("metadata").GetProperty("priority").GetInt32());
        Assert.Equal("Quay in morning fog", saved.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(2, saved.GetProperty("version").GetInt32());
        // Fields nobody touched are not sent again: dates keep their own zone and precision.
        Assert.Equal("2026-03-14T09:19:00.000+01:00", saved.GetProperty("metadata").GetProperty("captureDate").GetString());
        Assert.Equal("2020-01-01T00:00:00.000+02:00", saved.GetProperty("metadata").GetProperty("validity").GetProperty("from").GetString());
        Assert.Equal(["fog", "quay"], saved.GetProperty("metadata").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Until(() => Find("#field-priority")?.GetAttribute("value") == "5" ? true : (bool?)null);
        Until(() => Browser.ExecuteScript("const i = document.getElementById('preview'); return !!i && i.complete && i.naturalWidth > 0") is true ? true : (bool?)null);
        Assert.StartsWith("http", Find("#delivery-url")!.GetAttribute("value"));
        Screenshot("entry");
        AssertAltText();
        AssertFitsTheWindow();
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Revoke_with_a_note_refuses_the_thumbnail_and_unrevoke_brings_it_back()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadAsync(SampleFiles.DecodableJpeg(400, 300), "protest.jpg");
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "Protest on the square" }, new JsonObject { ["asset"] = asset });
        SignIn();
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        Until(() => Browser.ExecuteScript("const i = document.getElementById('preview'); return !!i && i.complete && i.naturalWidth > 0") is true ? true : (bool?)null);

        Until(() => Find("#revoke-note")).SendKeys("Agency withdrew the picture");
        Find("#revoke")!.Click();
        // Revoking asks first (delivery stops everywhere at once).
        Until(() => Find("#batch-confirm"))!.Click();
        Until(() => Find("#unrevoke"));
        Assert.Equal("Note: Agency withdrew the picture", Text("#revoke-note-shown"));
        var refused = Until(() => Find(".preview[data-refused='true']"));
        Assert.Contains("revoked", refused.GetAttribute("aria-label"));
        var stored = await client.GetEntryAsync(id);
        Assert.Equal("revoked", stored.GetProperty("state").GetString());
        Assert.Equal("Agency withdrew the picture", stored.GetProperty("revokeNote").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/2026-05/mediaLibrary/serve-image/{asset["key"]}?w=100")).StatusCode);
        Screenshot("revoked");

        // In the library too, its thumbnail is refused, and says why.
        Browser.Navigate().GoToUrl(app.Url("/ui/#/"));
        Until(() => Find("#q")).SendKeys("protest square");
        var tile = Until(() => Find($"#grid li[data-id='{id}'] [data-refused='true']"));
        Assert.Contains("Refused", tile.Text);
        Assert.Contains("Protest on the square", tile.GetAttribute("aria-label"));

        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        Until(() => Find("#unrevoke")).Click();
        Until(() => Find("#revoke"));
        Until(() => Browser.ExecuteScript("const i = document.getElementById('preview'); return !!i && i.complete && i.naturalWidth > 0") is true ? true : (bool?)null);
        Assert.Equal("active", (await client.GetEntryAsync(id)).GetProperty("state").GetString());
        // And the library shows the picture again.
        Browser.Navigate().GoToUrl(app.Url("/ui/#/"));
        Until(() => Browser.ExecuteScript(
            "const i = document.querySelector(\"#grid li[data-id='\" + arguments[0] + \"'] img\"); return !!i && i.complete && i.naturalWidth > 0", id) is true ? true : (bool?)null);
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Where_used_lists_documents_media_and_the_keys()
    {
        var client = await app.ReaderWriterAsync();
        var id = await ImportPictureAsync(client, new JsonObject { ["title"] = "Mayor at the opening" });
        var poster = await ImportPictureAsync(client, new JsonObject { ["title"] = "Related", ["relatedImage"] = new JsonObject { ["mediaId"] = id } });
        var story = "story-" + Guid.NewGuid().ToString("N")[..8];
        var document = await client.ImportDocumentAsync(DocumentCalls.Document(story, publish: true, DocumentCalls.ImageComponent("c1", id)));
        // The shipped config has a "print" purpose (the README's usage-log example runs as written).
        (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(new JsonObject
        {
            ["operation"] = "addUsageLogEntry",
            ["value"] = new JsonObject { ["purpose"] = "print", ["state"] = "confirmed", ["publicationDate"] = "2026-05-04T06:00:00+02:00", ["params"] = new JsonObject { ["page"] = 3 } },
        }) }, "2026-07")).EnsureSuccessStatusCode();
        SignIn();
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        var list = Until(() => Find("#where-used-list"));
        // Each document by its title, with its id.
        Until(() => Text($"li[data-document='{document}'] strong") == $"Story {story}" ? true : (bool?)null);
        Assert.Contains($"document {document}", list.Text, StringComparison.Ordinal);
        // The usage log as a table.
        var row = Until(() => Find("#usage-log tbody tr"));
        Assert.Equal(["print", "confirmed"], row.FindElements(By.TagName("td")).Take(2).Select(td => td.Text));
        Assert.Equal(poster, list.FindElement(By.CssSelector($"a[href='#/entry/{poster}']")).Text);
        Assert.Contains("Mayor at the opening", Text("h1"));
        Assert.Contains("400 × 300", Text("dl.facts"));
        AssertFitsTheWindow();
        var keys = Browser.FindElements(By.CssSelector("#keys li")).Select(k => k.Text).ToList();
        Assert.Equal((await client.GetEntryAsync(id)).GetProperty("asset").GetProperty("key").GetString(), Assert.Single(keys));
        Browser.ExecuteScript("document.getElementById('rights-heading').scrollIntoView()");
        Screenshot("where-used");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_ui_ships_in_the_executable_with_a_strict_policy_and_nothing_inline()
    {
        using var http = app.Process.Client();
        var root = new HttpRequestMessage(HttpMethod.Get, "/");
        root.Headers.Accept.ParseAdd("text/html");
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Process.BaseAddress };
        var redirect = await noRedirects.SendAsync(root);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/ui/", redirect.Headers.Location!.ToString());

        var page = await http.GetAsync("/ui/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("http", policy);
        Assert.DoesNotMatch("<script(?![^>]*\\ssrc=)", html);
        Assert.DoesNotContain(" style=", html);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        foreach (var file in new[] { "/ui/app.js", "/ui/http.js", "/ui/library.js", "/ui/entry.js", "/ui/style.css", "/ui/icon.svg" })
        {
            var response = await http.GetAsync(file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            // Nothing fetched from elsewhere (an SVG names its XML namespace, which is not a fetch).
            Assert.DoesNotMatch("https?://(?!www\\.w3\\.org/2000/svg)", text);
            var etag = response.Headers.ETag!;
            var again = new HttpRequestMessage(HttpMethod.Get, file);
            again.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/ui/../appsettings.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/ui/nothing.js")).StatusCode);
        // A client that asks for JSON at the root is not sent to a web page.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
    }
}
