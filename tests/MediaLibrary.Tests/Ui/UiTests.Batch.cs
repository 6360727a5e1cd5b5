using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using MediaLibrary.Tests.Search;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace MediaLibrary.Tests.Ui;

/// The photo desk's batch work (SPEC §13, 2026-07): select several entries by keyboard and mouse,
/// act on all of them through PATCH /mediaLibrary, and see each entry's outcome.
public sealed partial class UiTests
{
    private IReadOnlyList<IWebElement> Tiles() => Browser.FindElements(By.CssSelector("#grid li.tile"));

    private void UntilCount(string text) => Until(() => Text("#count") == text ? true : (bool?)null);

    private void UntilSummary(string text) => Until(() => Text("#batch-summary") == text ? true : (bool?)null);

    /// Whether each tile is selected, in grid order, read in one go (no element goes stale between
    /// reads): its data-selected and what a screen reader hears in its link must agree.
    private string SelectedStates() =>
        (string)Browser.ExecuteScript("return [...document.querySelectorAll('#grid li.tile')].map(li => li.dataset.selected === String(li.querySelector('a .state').textContent === 'Selected: ') ? li.dataset.selected : 'mismatch').join(',')")!;

    /// Focus on the first tile, then Shift+→ twice as one key sequence (each key goes where the focus is by then).
    /// In headless Chromium, right after another test's dialog or alert, the first keys sent can be
    /// lost before the page has the window's focus: the sequence goes again (a few times at most)
    /// until the keys arrive. What they do once they arrive is what the test checks.
    private void ShiftRightTwiceFromTheFirstTile()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Until(() => Browser.ExecuteScript("const a = document.querySelector('#grid li.tile a'); a.focus(); return document.activeElement === a") is true ? true : (bool?)null);
            new Actions(Browser).KeyDown(Keys.Shift).SendKeys(Keys.ArrowRight).SendKeys(Keys.ArrowRight).KeyUp(Keys.Shift).Perform();
            var deadline = DateTime.UtcNow.AddSeconds(2);
            while (DateTime.UtcNow < deadline && Text("#selected-count") is null)
            {
                Thread.Sleep(Poll);
            }

            if (Text("#selected-count") is not null)
            {
                return;
            }
        }
    }

    /// Clicks the element, found again if the page was drawn anew between finding and clicking.
    private void ClickWhenDrawn(string css) => Until(() =>
    {
        if (Find(css) is not { } element)
        {
            return (bool?)null;
        }

        element.Click();
        return true;
    });

    /// Acts on the i-th tile's link, again if the grid was drawn anew meanwhile.
    private void OnTile(int i, Action<IWebElement> act) => Until(() =>
    {
        act(Tiles()[i].FindElement(By.TagName("a")));
        return true;
    });

    [Fact]
    public async Task Select_by_keyboard_and_mouse_then_edit_revoke_archive_and_delete_all_at_once()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var ids = new List<string>();
        foreach (var (title, credit) in new[] { ("Quay", "Agency A"), ("Crane", "Agency A"), ("Ferry", "Agency B") })
        {
            ids.Add(await ImportPictureAsync(client, new JsonObject { ["title"] = $"{title} {word}", ["credit"] = credit }));
        }

        SignIn();
        Find("#q")!.SendKeys(word + Keys.Enter);
        UntilCount("3 entries, 3 shown");
        // Newest first: Ferry, Crane, Quay. Each tile shows the credit and the date.
        Assert.Equal(string.Join(",", ids.AsEnumerable().Reverse()), Browser.ExecuteScript("return [...document.querySelectorAll('#grid li.tile')].map(li => li.dataset.id).join(',')"));
        var first = (string)Browser.ExecuteScript("return document.querySelector('#grid li.tile').innerText")!;
        Assert.Contains("Agency B", first, StringComparison.Ordinal);
        Assert.Contains(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), first, StringComparison.Ordinal);

        // Keyboard: Shift+arrows from the first tile take a range; Escape clears it.
        ShiftRightTwiceFromTheFirstTile();
        Until(() => Text("#selected-count") == "3 selected" ? true : (bool?)null);
        Assert.Equal("true,true,true", SelectedStates());
        AssertControlsHaveLabels();
        Screenshot("grid-selection");
        Browser.SwitchTo().ActiveElement().SendKeys(Keys.Escape);
        Until(() => Find("#batch")!.Displayed ? null : (bool?)true);
        Assert.Equal("false,false,false", SelectedStates());

        // Mouse: Ctrl-click one, Shift-click another takes the range between; a plain click would open.
        OnTile(0, a => new Actions(Browser).KeyDown(Keys.Control).Click(a).KeyUp(Keys.Control).Perform());
        Until(() => Text("#selected-count") == "1 selected" ? true : (bool?)null);
        OnTile(2, a => new Actions(Browser).KeyDown(Keys.Shift).Click(a).KeyUp(Keys.Shift).Perform());
        Until(() => Text("#selected-count") == "3 selected" ? true : (bool?)null);
        Assert.DoesNotContain("#/entry/", Browser.Url, StringComparison.Ordinal);

        // One form for all three: differing values say so and stay unless edited.
        Find("#batch-edit")!.Click();
        var caption = Until(() => Find("#batch-field-caption"));
        Assert.Equal("2 different values", Text("#batch-differs-credit"));
        Assert.Equal("3 different values", Text("#batch-differs-title"));
        Assert.Equal("", Find("#batch-field-credit")!.GetAttribute("value"));
        caption.SendKeys("Morning shift");
        AssertControlsHaveLabels();
        Screenshot("batch-dialog");
        Find("#batch-confirm")!.Click();
        UntilSummary("Saved: 3 of 3.");
        foreach (var (id, credit) in ids.Zip(new[] { "Agency A", "Agency A", "Agency B" }))
        {
            var entry = await client.GetEntryAsync(id);
            Assert.Equal("Morning shift", entry.GetProperty("metadata").GetProperty("caption").GetString());
            Assert.Equal(credit, entry.GetProperty("metadata").GetProperty("credit").GetString());
            Assert.Equal(2, entry.GetProperty("version").GetInt32());
        }

        // Revoke with a note, in a dialog used by keyboard: type the note, Enter confirms.
        Find("#batch-revoke")!.Click();
        Until(() => Find("#batch-note"))!.SendKeys("Agency withdrew the set" + Keys.Enter);
        UntilSummary("Revoked: 3 of 3.");
        foreach (var id in ids)
        {
            var entry = await client.GetEntryAsync(id);
            Assert.Equal("revoked", entry.GetProperty("state").GetString());
            Assert.Equal("Agency withdrew the set", entry.GetProperty("revokeNote").GetString());
        }

        // Archive: archived entries are hidden by default, so they leave the grid; the outcome stays.
        Find("#batch-archive")!.Click();
        UntilSummary("Archived: 3 of 3.");
        UntilCount("Nothing matches these words and filters.");
        Assert.All(ids, id => Assert.True(client.GetEntryAsync(id).Result.GetProperty("archived").GetBoolean()));

        // The filter is in the URL: "Any" survives a reload.
        Browser.SwitchTo().ActiveElement().SendKeys(Keys.Escape);
        Choose("#archived", "");
        UntilCount("3 entries, 3 shown");
        Assert.Contains("archived=", Browser.Url, StringComparison.Ordinal);
        Browser.Navigate().Refresh();
        UntilCount("3 entries, 3 shown");
        Assert.Equal("", Find("#archived")!.GetAttribute("value"));
        Assert.Equal(word, Find("#q")!.GetAttribute("value"));

        // Delete: archived entries are in use, so none goes, and each says why.
        ShiftRightTwiceFromTheFirstTile();
        Until(() => Text("#selected-count") == "3 selected" ? true : (bool?)null);
        Find("#batch-delete")!.Click();
        Until(() => Find("#batch-confirm"))!.Click();
        UntilSummary("Deleted: 0 of 3; 3 not.");
        Assert.Equal(3, Browser.FindElements(By.CssSelector("#batch-outcomes li.error[data-id]")).Count);
        Assert.Contains("in use (archived", Text("#batch-outcomes li.error[data-id]"), StringComparison.Ordinal);

        // Unarchive, then delete: gone, everywhere.
        Find("#batch-unarchive")!.Click();
        UntilSummary("Unarchived: 3 of 3.");
        Find("#batch-delete")!.Click();
        Until(() => Find("#batch-confirm"))!.Click();
        UntilSummary("Deleted: 3 of 3.");
        UntilCount("Nothing matches these words and filters.");
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/2026-07/mediaLibrary/{id}")).StatusCode);
        }

        AssertAltText();
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_read_only_token_is_offered_no_write_control_and_best_match_needs_words()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var id = await ImportPictureAsync(client, new JsonObject { ["title"] = $"Lighthouse {word}" });
        var reader = await app.CreateTokenAsync([MediaLibrary.Clients.Scopes.Read], name: "reader");

        Browser.Navigate().GoToUrl(app.Url("/ui/"));
        Browser.ExecuteScript("sessionStorage.setItem('medialibrary.token', arguments[0])", reader);
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/?q={word}"));
        Browser.Navigate().Refresh();
        UntilCount("1 entry, 1 shown");
        Assert.Null(Find("#drop"));
        Assert.StartsWith("Library\nSearch", Find("#main")!.Text, StringComparison.Ordinal);
        OnTile(0, a => new Actions(Browser).KeyDown(Keys.Control).Click(a).KeyUp(Keys.Control).Perform());
        Until(() => Text("#selected-count") == "1 selected" ? true : (bool?)null);
        Assert.Null(Find("#batch-archive"));
        Assert.Null(Find("#batch-delete"));

        // Best match ranks by words: offered only when there are some.
        Assert.Equal("true", (Browser.ExecuteScript("return String(!document.querySelector('#sort option[value=relevance]').disabled)") as string));
        var q = Find("#q")!;
        q.Clear();
        q.SendKeys(Keys.Enter);
        Until(() => Browser.ExecuteScript("return document.querySelector('#sort option[value=relevance]').disabled") is true ? true : (bool?)null);

        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{id}"));
        Until(() => Find("#metadata"));
        Assert.Null(Find("#save"));
        Assert.Null(Find("#revoke"));
        Assert.Null(Find("#archive"));
        Assert.Null(Find("#replace-file"));
        Assert.Null(Find("#add-translation"));
        Assert.NotNull(Find("#download"));
        Assert.False(Find("#metadata input")!.Enabled);

        // The phone layout: nothing sticks out sideways at 390 px.
        var size = Browser.Manage().Window.Size;
        try
        {
            Browser.Manage().Window.Size = new System.Drawing.Size(390, 844);
            Browser.Navigate().GoToUrl(app.Url($"/ui/#/?q={word}"));
            UntilCount("1 entry, 1 shown");
            AssertFitsTheWindow();
            AssertControlsHaveLabels();
            Screenshot("phone");
        }
        finally
        {
            Browser.Manage().Window.Size = size;
        }

        AssertNoConsoleErrors();
    }
    [Fact]
    public void Files_dropped_anywhere_on_the_page_are_uploaded_and_the_page_stays()
    {
        SignIn();
        var url = Browser.Url;
        // A drop on the grid, far from the drop zone, as a person drags a file from the desktop.
        Browser.ExecuteScript(
            """
            const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], 'dropped-on-the-grid.jpg', { type: 'image/jpeg' }));
            const target = document.querySelector('#grid') || document.body;
            target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
            target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
            """, Convert.ToBase64String(SampleFiles.DecodableJpeg(120, 90)));
        var done = Until(() => Find("li[data-file='dropped-on-the-grid.jpg'] .done"));
        Assert.Equal("Uploaded:", done.Text.Trim());
        Assert.Equal(url, Browser.Url);
        AssertNoConsoleErrors();
    }
    [Fact]
    public async Task On_the_entry_page_revoke_unarchive_and_delete_each_ask_first()
    {
        var (client, id) = await OpenNewEntryAsync(new JsonObject { ["title"] = "Press conference" });

        // Revoke asks; Escape cancels and nothing changes.
        Until(() => Find("#revoke"))!.Click();
        Until(() => Find("#batch-confirm"));
        Browser.SwitchTo().ActiveElement().SendKeys(Keys.Escape);
        Until(() => Find("#batch-dialog") is null ? true : (bool?)null);
        Assert.Equal("active", (await client.GetEntryAsync(id)).GetProperty("state").GetString());
        Find("#revoke-note")!.SendKeys("Wrong person named");
        Find("#revoke")!.Click();
        Until(() => Find("#batch-confirm"))!.Click();
        Until(() => Find("#unrevoke"));
        Assert.Equal("Wrong person named", (await client.GetEntryAsync(id)).GetProperty("revokeNote").GetString());
        Find("#unrevoke")!.Click();
        // Each action draws the page anew: wait for the new page before the next click.
        Until(() => Find("#revoke"));

        // Archive, then unarchive (asked first).
        ClickWhenDrawn("#archive");
        ClickWhenDrawn("#unarchive");
        Until(() => Find("#batch-confirm"))!.Click();
        Until(() => Find("#unarchive") is null && Find("#archive") is not null ? true : (bool?)null);
        Assert.False((await client.GetEntryAsync(id)).GetProperty("archived").GetBoolean());

        // Delete (asked first): back to the library, and the entry is gone.
        ClickWhenDrawn("#delete");
        Until(() => Find("#batch-confirm"))!.Click();
        Until(() => Find("#grid"));
        Assert.Contains("Deleted", Text("#status"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/2026-07/mediaLibrary/{id}")).StatusCode);
        AssertNoConsoleErrors();
    }
    [Fact]
    public async Task Rotate_pixelate_and_set_the_focal_point_on_the_entry_page_then_restore_the_original()
    {
        var (client, id) = await OpenNewEntryAsync(new JsonObject { ["title"] = "Witness at the scene" });
        bool Loaded(string css) => Browser.ExecuteScript($"const i = document.querySelector(\"{css}\"); return !!i && i.tagName === 'IMG' && i.complete && i.naturalWidth > 0") is true;
        Until(() => Loaded("#editor-image") ? true : (bool?)null);
        Assert.Equal("The original, unedited.", Text("#editor-state"));

        // Rotate right: the 400 × 300 picture stands up.
        Find("#rotate-right")!.Click();
        Until(() => Text("#editor-state") == "Rotated 90°." ? true : (bool?)null);
        Until(() => Loaded("#editor-image") && Browser.ExecuteScript("const i = document.querySelector('#editor-image'); return i.naturalHeight > i.naturalWidth") is true ? true : (bool?)null);
        Assert.Equal(90, (await client.GetEntryAsync(id, "2026-07")).GetProperty("imageEdits").GetProperty("rotate").GetInt32());

        // Draw a rectangle over the middle of the picture: it is pixelated for every reader.
        var picture = Find("#editor-image")!;
        var (w, h) = (picture.Size.Width, picture.Size.Height);
        new Actions(Browser).MoveToElement(picture, -w / 4, -h / 4).ClickAndHold().MoveByOffset(w / 2, h / 2).Release().Perform();
        Until(() => Text("#editor-state")?.Contains("1 region pixelated", StringComparison.Ordinal) == true ? true : (bool?)null);
        var region = (await client.GetEntryAsync(id, "2026-07")).GetProperty("imageEdits").GetProperty("pixelate")[0];
        Assert.InRange(region.GetProperty("x").GetDouble(), 0.2, 0.3);
        Assert.InRange(region.GetProperty("w").GetDouble(), 0.45, 0.55);

        // The focal point: a click in focal mode, near the top; the crops follow it.
        Find("#mode-focal")!.Click();
        Until(() => Loaded("#editor-image") ? true : (bool?)null);
        picture = Find("#editor-image")!;
        new Actions(Browser).MoveToElement(picture, 0, -picture.Size.Height / 2 + (picture.Size.Height / 10)).Click().Perform();
        Until(() => Find("#focal-mark"));
        var focal = (await client.GetEntryAsync(id, "2026-07")).GetProperty("imageEdits").GetProperty("focalPoint");
        Assert.InRange(focal.GetProperty("y").GetDouble(), 0.05, 0.15);
        Until(() => Loaded("#crop-3-4") && Loaded("#crop-16-9") ? true : (bool?)null);
        Assert.Equal(320L, Browser.ExecuteScript("return document.querySelector('#crop-16-9').naturalWidth"));
        Assert.Equal(180L, Browser.ExecuteScript("return document.querySelector('#crop-16-9').naturalHeight"));
        AssertAltText();
        AssertControlsHaveLabels();
        Assert.Equal("Where used\nNot used in any published document, media entry or usage log.", Text("#where-used"));
        Browser.ExecuteScript("document.getElementById('editor').scrollIntoView()");
        Screenshot("image-editor");

        // Restore: the original is back, and so are its proportions.
        Find("#restore")!.Click();
        Until(() => Text("#editor-state") == "The original, unedited." ? true : (bool?)null);
        Assert.False((await client.GetEntryAsync(id, "2026-07")).TryGetProperty("imageEdits", out _));
        AssertNoConsoleErrors();
    }
    [Fact]
    public async Task Leaving_an_entry_with_unsaved_edits_asks_first()
    {
        var (client, id) = await OpenNewEntryAsync(new JsonObject { ["title"] = "Council vote" });
        Until(() => Find("#metadata"));
        // Fields are named by the media type's ui.label, not the handle.
        Assert.Contains("Caption", Browser.FindElements(By.CssSelector("#metadata label")).Select(l => l.Text));
        Assert.DoesNotContain("caption", Browser.FindElements(By.CssSelector("#metadata label")).Select(l => l.Text));
        var caption = Browser.FindElements(By.CssSelector("#metadata textarea, #metadata input")).First(e => e.GetAttribute("id")?.Contains("caption", StringComparison.Ordinal) == true);
        caption.SendKeys("Not saved yet");

        // Staying: the question is dismissed, the address and the typed text stay.
        Find("a[href='#/']")!.Click();
        var question = Until(() => { try { return Browser.SwitchTo().Alert(); } catch (NoAlertPresentException) { return null; } });
        Assert.Equal("Leave this entry without saving your changes?", question.Text);
        question.Dismiss();
        Assert.EndsWith($"#/entry/{id}", Browser.Url, StringComparison.Ordinal);
        Assert.Equal("Not saved yet", caption.GetAttribute("value"));

        // Leaving: accepted, the library shows, and the entry is as it was.
        Find("a[href='#/']")!.Click();
        Until(() => { try { return Browser.SwitchTo().Alert(); } catch (NoAlertPresentException) { return null; } }).Accept();
        Until(() => Find("#grid"));
        Assert.False((await client.GetEntryAsync(id)).GetProperty("metadata").TryGetProperty("caption", out _));
    }
    [Fact]
    public async Task The_licence_profile_shows_as_a_coloured_dot_filters_the_grid_and_is_chosen_in_a_dropdown_with_its_rules()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var licensed = await ImportPictureAsync(client, new JsonObject { ["title"] = $"Harbour {word}", ["license"] = "freelancer" });
        var other = await ImportPictureAsync(client, new JsonObject { ["title"] = $"Quay {word}" });
        SignIn();
        Find("#q")!.SendKeys(word + Keys.Enter);
        UntilCount("2 entries, 2 shown");
        Assert.Equal("Licence: Freelancer", Find($"li[data-id='{licensed}'] .dot")!.GetAttribute("aria-label"));
        Assert.Matches(@"^rgba?\(224, 179, 45(, 1)?\)$", Find($"li[data-id='{licensed}'] .dot")!.GetCssValue("background-color"));
        Assert.Null(Find($"li[data-id='{other}'] .dot"));

        // The grid filtered by profile, kept in the URL.
        Choose("#licenseProfile", "freelancer");
        UntilCount("1 entry, 1 shown");
        Assert.Contains("licenseProfile=freelancer", Browser.Url, StringComparison.Ordinal);

        // The entry page: the profile in a dropdown with its colour and rules; another chosen by keyboard and saved.
        Browser.Navigate().GoToUrl(app.Url($"/ui/#/entry/{licensed}"));
        Until(() => Find("#field-license"));
        Assert.Equal("freelancer", Find("#field-license")!.GetAttribute("value"));
        Assert.Equal("print: low cost, billed every time", Text("#field-license-rules"));
        Choose("#field-license", "restricted");
        Until(() => Text("#field-license-rules") == "Each document needs an approval before it publishes this entry." ? true : (bool?)null);
        Choose("#field-license", "inHouse");
        Until(() => Text("#field-license-rules") == "print: free, never billed" ? true : (bool?)null);
        Assert.Matches(@"^rgba?\(47, 177, 129(, 1)?\)$", Find("#field-license-swatch")!.GetCssValue("background-color"));
        Browser.ExecuteScript("document.getElementById('field-license').scrollIntoView({block: 'center'})");
        AssertControlsHaveLabels();
        Screenshot("licence-dropdown");
        Find("#save")!.Click();
        Until(() => Text("#status") == "Saved." ? true : (bool?)null);
        Assert.Equal("inHouse", (await client.GetEntryAsync(licensed)).GetProperty("metadata").GetProperty("license").GetString());
        AssertNoConsoleErrors();
    }
}
