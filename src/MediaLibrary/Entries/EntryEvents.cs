using System.Text.Json.Nodes;
using MediaLibrary.Events;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Entries;

/// Which events a change of an entry emits (SPEC §8), each name once, in the table's order.
internal static class EntryEvents
{
    public static NewEvent Created(EntryRow row, Actor actor) =>
        new(EventNames.Create, actor, MediaId: row.Id, MediaType: row.MediaType, Version: row.Version);

    /// The events of a PATCH that turned `before` into `after` (state compared at `now`); a
    /// usage-log change is an update too.
    public static List<NewEvent> Changed(EntryRow before, EntryRow after, MediaTypeDefinition? type, Actor actor, DateTimeOffset now, bool usageLogChanged = false)
    {
        var events = new List<NewEvent>();
        NewEvent Event(string name, IReadOnlyList<string>? changed = null) =>
            new(name, actor, MediaId: after.Id, MediaType: after.MediaType, Version: after.Version, ChangedProperties: changed);

        var oldMetadata = JsonNode.Parse(before.Metadata)!.AsObject();
        var newMetadata = JsonNode.Parse(after.Metadata)!.AsObject();
        var changedProperties = oldMetadata.Select(p => p.Key).Union(newMetadata.Select(p => p.Key))
            .Where(key => !JsonNode.DeepEquals(oldMetadata[key], newMetadata[key]))
            .Order(StringComparer.Ordinal)
            .ToList();
        // Compared as JSON: PostgreSQL hands jsonb back in its own key order and spacing.
        if (changedProperties.Count > 0 || usageLogChanged || !JsonNode.DeepEquals(JsonNode.Parse(before.Asset), JsonNode.Parse(after.Asset)) ||
            !JsonNode.DeepEquals(JsonNode.Parse(before.Translations), JsonNode.Parse(after.Translations)) ||
            !PatchWorkingCopy.SameEdits(before.ImageEdits, after.ImageEdits))
        {
            events.Add(Event(EventNames.Update, changedProperties));
        }

        if (after.Archived && !before.Archived)
        {
            events.Add(Event(EventNames.Archive));
        }

        if (after.Revoked && !before.Revoked)
        {
            events.Add(Event(EventNames.Revoke));
        }

        var oldState = EntryState.Of(type, before.Revoked, oldMetadata, now);
        var newState = EntryState.Of(type, after.Revoked, newMetadata, now);
        if (newState != oldState && newState != EntryState.Revoked)
        {
            events.Add(Event(newState == EntryState.Active ? EventNames.Active : EventNames.Invalid));
        }

        if (!after.Archived && before.Archived)
        {
            events.Add(Event(EventNames.Unarchive));
        }

        return events;
    }
}
