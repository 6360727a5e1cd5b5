using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Events;

/// One subscription of a webhook: an event name, optionally limited to media types and (for
/// updates) to changes of some metadata properties.
internal sealed record WebhookSubscription(string Event, IReadOnlySet<string>? MediaTypes, IReadOnlySet<string>? MetadataProperties);

internal sealed record Webhook(string Handle, string? Label, Uri Url, byte[]? Secret, bool Active, IReadOnlyList<WebhookSubscription> Subscriptions)
{
    public bool Wants(EventRow e) => Active && Subscriptions.Any(s =>
        s.Event == e.Name &&
        (s.MediaTypes is null || (e.MediaType is not null && s.MediaTypes.Contains(e.MediaType))) &&
        (s.MetadataProperties is null || (e.Changed is not null && JsonSerializer.Deserialize<string[]>(e.Changed)!.Any(s.MetadataProperties.Contains))));
}

/// The `webhooks` of the project config file (SPEC §8), checked at start: a bad configuration
/// stops the start with a message naming the webhook.
internal sealed class WebhookCatalog
{
    private readonly Dictionary<string, Webhook> _webhooks;

    private WebhookCatalog(bool active, Dictionary<string, Webhook> webhooks) => (Active, _webhooks) = (active, webhooks);

    public bool Active { get; }

    public IReadOnlyCollection<Webhook> All => _webhooks.Values;

    public IEnumerable<Webhook> Matching(EventRow e) => Active ? _webhooks.Values.Where(w => w.Wants(e)) : [];

    public static WebhookCatalog Load(MediaLibraryOptions options, MediaTypeCatalog types, bool allowPrivateTargets, Func<string, string?> environment)
    {
        var (root, source) = MediaTypeCatalog.ReadProjectConfig(options);
        return Parse(root?["webhooks"], source, types, allowPrivateTargets, environment);
    }

    public static WebhookCatalog Parse(JsonNode? node, string source, MediaTypeCatalog types, bool allowPrivateTargets, Func<string, string?> environment)
    {
        if (node is null)
        {
            return new WebhookCatalog(false, []);
        }

        if (node is not JsonObject config || config["configurations"] is not JsonArray list)
        {
            throw new StartupException($"{source}: \"webhooks\" must be an object with a \"configurations\" array.");
        }

        var webhooks = new Dictionary<string, Webhook>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            var webhook = ParseWebhook(item as JsonObject, source, types, allowPrivateTargets, environment);
            if (!webhooks.TryAdd(webhook.Handle, webhook))
            {
                throw new StartupException($"{source}: webhook '{webhook.Handle}' is defined twice.");
            }
        }

        return new WebhookCatalog(config["active"]?.GetValueKind() != JsonValueKind.False, webhooks);
    }

    private static Webhook ParseWebhook(JsonObject? node, string source, MediaTypeCatalog types, bool allowPrivateTargets, Func<string, string?> environment)
    {
        var handle = Text(node?["handle"]);
        var where = $"{source}: webhook '{handle ?? "?"}'";
        if (node is null || handle is null)
        {
            throw new StartupException($"{where} needs a \"handle\".");
        }

        if (handle == Imports.ImportJobs.WebhookChannel)
        {
            throw new StartupException($"{where}: the handle '{handle}' is reserved for the callbacks of import jobs.");
        }

        if (!Uri.TryCreate(Text(node["url"]), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new StartupException($"{where} needs a \"url\": an absolute http or https URL.");
        }

        if (new TargetPolicy(allowPrivateTargets, []).LiteralRefusal(url) is { } refusal)
        {
            throw new StartupException($"{where}: {url.Host} is {refusal}; such targets need MediaLibrary__Webhooks__AllowPrivateTargets=true.");
        }

        byte[]? secret = null;
        switch (node["secret"])
        {
            case null:
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                secret = Encoding.UTF8.GetBytes(value.GetValue<string>());
                break;
            case JsonObject { Count: 1 } env when Text(env["$env"]) is { } name:
                secret = Encoding.UTF8.GetBytes(environment(name) is { Length: > 0 } fromEnv
                    ? fromEnv
                    : throw new StartupException($"{where}: its secret comes from the environment variable {name}, which is not set."));
                break;
            default:
                throw new StartupException($"{where}: \"secret\" must be a string or {{\"$env\": \"NAME\"}}.");
        }

        var subscriptions = new List<WebhookSubscription>();
        foreach (var item in node["events"] as JsonArray ?? throw new StartupException($"{where} needs \"events\": a list of event names."))
        {
            subscriptions.Add(ParseSubscription(item, where, types));
        }

        if (subscriptions.Count == 0)
        {
            throw new StartupException($"{where} subscribes to no event.");
        }

        return new Webhook(handle, Text(node["label"]), url, secret, node["active"]?.GetValueKind() != JsonValueKind.False, subscriptions);
    }

    private static WebhookSubscription ParseSubscription(JsonNode? item, string where, MediaTypeCatalog types)
    {
        var name = item is JsonObject obj ? Text(obj["name"]) : Text(item);
        if (name is null || !EventNames.All.Contains(name))
        {
            throw new StartupException($"{where} subscribes to unknown event '{name ?? item?.ToJsonString()}' (known: {string.Join(", ", EventNames.All)}).");
        }

        if (item is not JsonObject subscription)
        {
            return new WebhookSubscription(name, null, null);
        }

        var mediaTypes = Strings(subscription["conditions"]?["mediaTypes"], $"{where}, {name}: conditions.mediaTypes");
        foreach (var handle in mediaTypes ?? [])
        {
            if (types.Find(handle) is null)
            {
                throw new StartupException($"{where}, {name}: conditions.mediaTypes names '{handle}', which is not a media type of this project.");
            }
        }

        var properties = Strings(subscription["changeFilter"]?["metadataProperties"], $"{where}, {name}: changeFilter.metadataProperties");
        if (properties is not null && name != EventNames.Update)
        {
            throw new StartupException($"{where}, {name}: changeFilter applies to {EventNames.Update} only.");
        }

        return new WebhookSubscription(name, mediaTypes, properties);
    }

    private static HashSet<string>? Strings(JsonNode? node, string where) => node switch
    {
        null => null,
        JsonArray list when list.All(i => Text(i) is not null) && list.Count > 0 => list.Select(i => Text(i)!).ToHashSet(StringComparer.Ordinal),
        _ => throw new StartupException($"{where} must be a non-empty list of strings."),
    };

    private static string? Text(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { Length: > 0 } s ? s : null;
}
