using System.Globalization;
using System.Security.Claims;
using MediaLibrary.Api;
using MediaLibrary.Clients;
using MediaLibrary.Events;
using MediaLibrary.Storage;

namespace MediaLibrary.Lifecycle;

internal static class LifecycleEndpoints
{
    public static VersionedApi MapLifecycle(this VersionedApi api)
    {
        api.Write.MapDelete("/mediaLibrary/{id}", DeleteAsync).WithName("DeleteMediaLibraryEntry").WithTags("Media Library")
            .WithSummary("From 2026-07: deletes an entry that is not in use (409 EntryInUse otherwise); `force=true` erases it anyway and needs the scope public-api:erase.")
            .Produces<DeleteResponse>();
        return api;
    }

    public sealed record DeleteResponse(int Status);

    public static async Task<IResult> DeleteAsync(
        string id, string? version, string? force, ApiVersion apiVersion, EntryDeleter deleter, TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        if (apiVersion < ApiVersion.V2026_07)
        {
            return ApiErrors.RouteNotFound("/api/:apiVersion/mediaLibrary/:id");
        }

        var errors = new Dictionary<string, string>();
        int? expected = null;
        if (version is not null)
        {
            if (int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
            {
                expected = n;
            }
            else
            {
                errors["version"] = "must be a positive whole number";
            }
        }

        var forced = false;
        if (force is not null && !bool.TryParse(force, out forced))
        {
            errors["force"] = "must be true or false";
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Validation(errors);
        }

        // An erasure deletes what is in use (a court order, a withdrawn licence): its own scope.
        if (forced && !user.HasClaim(BearerAuthenticationHandler.ScopeClaim, Scopes.Erase))
        {
            return ApiErrors.Result(StatusCodes.Status403Forbidden, new { access_token = "The request requires higher privileges" });
        }

        if (id.Length > 64)
        {
            return ApiErrors.EntryNotFound(id);
        }

        var result = await deleter.DeleteAsync(id, expected, forced, Actor.Client(user), time.StoredNow(), ct);
        return result.Outcome switch
        {
            DeleteOutcome.Deleted => TypedResults.Ok(new DeleteResponse(200)),
            DeleteOutcome.NotFound => ApiErrors.EntryNotFound(id),
            DeleteOutcome.VersionConflict => Entries.EntryPatcher.VersionConflict(expected!.Value, result.CurrentVersion),
            _ => ApiErrors.Result(StatusCodes.Status409Conflict, new
            {
                name = "EntryInUse",
                message = InUseMessage(id, result.Usage!),
                usage = result.Usage,
            }),
        };
    }

    private static string InUseMessage(string id, EntryUsage usage)
    {
        var reasons = new List<string>();
        if (usage.Documents > 0)
        {
            reasons.Add($"referenced by {usage.Documents} published document{(usage.Documents == 1 ? "" : "s")}");
        }

        if (usage.MediaLibraryEntries > 0)
        {
            reasons.Add($"referenced by {usage.MediaLibraryEntries} other entr{(usage.MediaLibraryEntries == 1 ? "y" : "ies")}");
        }

        if (usage.UsageLog > 0)
        {
            reasons.Add($"{usage.UsageLog} usage-log entr{(usage.UsageLog == 1 ? "y" : "ies")}");
        }

        if (usage.Published)
        {
            reasons.Add("was part of a published document");
        }

        if (usage.Archived)
        {
            reasons.Add("archived (unarchive it first)");
        }

        return $"MediaLibrary Entry '{id}' is in use and was not deleted: {string.Join("; ", reasons)}.";
    }
}

internal static class LifecycleSetup
{
    public static WebApplicationBuilder AddLifecycle(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LifecycleOptions>().BindConfiguration($"{Hosting.MediaLibraryOptions.Section}:Lifecycle")
            .Validate(o => o.RoutineMinutes > 0, "MediaLibrary__Lifecycle__RoutineMinutes must be more than 0.")
            .Validate(o => o.OrphanUploadHours > 0, "MediaLibrary__Lifecycle__OrphanUploadHours must be more than 0.")
            .Validate(o => o.RoutineBatch is >= 1 and <= 1000, "MediaLibrary__Lifecycle__RoutineBatch must be from 1 to 1000.")
            .ValidateOnStart();
        builder.Services.AddSingleton<EntryDeleter>();
        builder.Services.AddSingleton<BlobEraser>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BlobEraser>());
        builder.Services.AddSingleton<DeletionRoutines>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeletionRoutines>());
        builder.Services.AddSingleton<OrphanSweeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OrphanSweeper>());
        return builder;
    }
}
