using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

/// A webhook's stream through the event log is sent by one process at a time. These tests run
/// only real processes on a database of their own.
public sealed class WebhookStreamTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static string MediaId(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("mediaId").GetString()!;

    private static async Task<Dictionary<string, string?>> SettingsAsync(ProcessDatabase db, WebhookReceiver receiver, bool active)
    {
        var settings = new Dictionary<string, string?>(db.Settings)
        {
            ["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteWithWebhooksAsync(db.Folder,
                $$"""{"configurations": [{"handle": "relay", "url": "{{receiver.Url("/relay")}}", "active": {{(active ? "true" : "false")}}, "events": ["mediaLibraryEntry.revoke"]}]}"""),
            ["MediaLibrary:Webhooks:AllowPrivateTargets"] = "true",
            // A lease of 45 s: anything delivered sooner after a stop was handed over, not taken after the lease.
            ["MediaLibrary:Webhooks:TimeoutSeconds"] = "20",
        };
        return settings;
    }

    private static HttpClient Client(ServiceProcess process, string token)
    {
        var http = process.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<string> RevokedAsync(HttpClient http)
    {
        var id = await http.ImportImageAsync();
        var response = await http.PatchOpsAsync(id, Op("revokeAsset"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return id;
    }

    [Fact]
    public async Task A_process_that_stops_hands_its_webhook_to_another_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var db = await ProcessDatabase.CreateAsync("handover");
        var settings = await SettingsAsync(db, receiver, active: true);
        var token = await db.TokenAsync();

        var first = await ServiceProcess.StartAsync(settings);
        await using (first)
        {
            using var http = Client(first, token);
            var before = await RevokedAsync(http);
            await receiver.WaitForAsync(r => r.Any(x => MediaId(x) == before), TimeSpan.FromSeconds(10));

            await using var second = await ServiceProcess.StartAsync(settings);
            Assert.Equal(0, kill(first.ProcessId, 15));
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(20)));

            using var other = Client(second, token);
            var after = await RevokedAsync(other);
            await receiver.WaitUntilAsync(r => r.Any(x => MediaId(x) == after), TimeSpan.FromSeconds(10), "the revoke made after the stop");

            // The marker: one more revoke, made once `after` has arrived. The stream starts its sends
            // in event order, so a second send of `before` or `after` (by either process) arrives before it.
            var marker = await RevokedAsync(other);
            await receiver.WaitUntilAsync(r => r.Any(x => MediaId(x) == marker), TimeSpan.FromSeconds(10), "the marker revoke");

            var received = receiver.Requests.ToList();
            Assert.Equal([before, after, marker], received.Select(MediaId));

            // Both were delivered at the first attempt, so neither has a retry row; the CLI lists them from the stream's record.
            var list = await ServiceProcess.RunAsync(settings, "webhooks", "deliveries", "--handle", "relay");
            Assert.True(list.ExitCode == 0, list.Stderr);
            for (var i = 0; i < 30 && !received.All(r => list.Stdout.Contains(r.DeliveryId, StringComparison.Ordinal)); i++)
            {
                await Task.Delay(200);
                list = await ServiceProcess.RunAsync(settings, "webhooks", "deliveries", "--handle", "relay");
            }

            Assert.All(received, r => Assert.Matches($@"{r.DeliveryId}\s+\d+\s+delivered\s+1\s", list.Stdout));
        }
    }

    [Fact]
    public async Task A_webhook_turned_off_and_on_again_gets_what_happens_once_it_is_on()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var db = await ProcessDatabase.CreateAsync("toggle");
        var token = await db.TokenAsync();

        string first;
        await using (var on = await ServiceProcess.StartAsync(await SettingsAsync(db, receiver, active: true)))
        {
            using var http = Client(on, token);
            first = await RevokedAsync(http);
            await receiver.WaitForAsync(r => r.Any(x => MediaId(x) == first), TimeSpan.FromSeconds(10));
        }

        string whileOff;
        await using (var off = await ServiceProcess.StartAsync(await SettingsAsync(db, receiver, active: false)))
        {
            using var http = Client(off, token);
            whileOff = await RevokedAsync(http);
            // The stream of a webhook that is off follows the log (every few seconds).
            const string Behind = "SELECT (SELECT MAX(position) FROM events) - (SELECT position FROM webhook_streams WHERE webhook = 'relay')";
            for (var i = 0; i < 100 && await db.ScalarAsync<long>(Behind) > 0; i++)
            {
                await Task.Delay(100);
            }

            Assert.Equal(0, await db.ScalarAsync<long>(Behind));
        }

        await using (var onAgain = await ServiceProcess.StartAsync(await SettingsAsync(db, receiver, active: true)))
        {
            using var http = Client(onAgain, token);
            var third = await RevokedAsync(http);
            await receiver.WaitUntilAsync(r => r.Any(x => MediaId(x) == third), TimeSpan.FromSeconds(10), "the revoke made once the webhook is on again");

            // The marker: one more revoke, made once `third` has arrived. The stream starts its sends
            // in event order, so `whileOff` (older) or a second send of `third` would arrive before it.
            var marker = await RevokedAsync(http);
            await receiver.WaitUntilAsync(r => r.Any(x => MediaId(x) == marker), TimeSpan.FromSeconds(10), "the marker revoke");
            Assert.Equal([first, third, marker], receiver.Requests.Select(MediaId));
            Assert.DoesNotContain(whileOff, receiver.Requests.Select(MediaId));
        }
    }
}
