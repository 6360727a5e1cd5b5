using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Storage;

/// Write transactions that queue behind each other (SQLite: one commit for the group, each its own
/// savepoint). On PostgreSQL every transaction is its own; the same outcomes hold.
public sealed class GroupCommitTests(TestApp app) : IClassFixture<TestApp>
{
    private Database Database => app.Services.GetRequiredService<Database>();

    private static readonly DateTimeOffset FarAway = new(2999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Queued_writers_commit_together_and_one_that_fails_or_gives_up_changes_nothing_of_the_others()
    {
        var prefix = $"group-{Guid.NewGuid():N}-";
        var commitsBefore = Database.SqliteSessions?.Commits ?? 0;

        // The first writer holds its transaction open until all the others are queued behind it.
        var first = await Database.OpenWriteAsync();
        await Insert(first, prefix + "first", 0);

        const int writers = 24;
        var outcomes = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            await using var session = await Database.OpenWriteAsync();
            await Insert(session, prefix + i, 0);
            switch (i % 4)
            {
                case 1:
                    // Gives up after writing: disposed without commit.
                    return "abandoned";
                case 2:
                    // Fails on its second statement (the same primary key again): the first is undone too.
                    await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => Insert(session, prefix + i, 0));
                    return "failed";
                default:
                    await Insert(session, prefix + i, 1);
                    await session.CommitAsync(CancellationToken.None);
                    return "committed";
            }
        })).ToList();

        if (Database.SqliteSessions is { } sqlite)
        {
            await Waits.UntilAsync(() => sqlite.WritersWaiting == writers, TimeSpan.FromSeconds(10), $"all {writers} writers queued");
        }

        await first.CommitAsync(CancellationToken.None);
        await first.DisposeAsync();
        var results = await Task.WhenAll(outcomes);

        // Each answer is final the moment it is given: a fresh reader sees exactly the committed rows.
        await using var read = await Database.OpenSessionAsync();
        var stored = (await read.QueryAsync<string>("SELECT entry_id FROM validity_boundaries WHERE entry_id LIKE @prefix", CancellationToken.None, ("prefix", prefix + "%")))
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var expected = new Dictionary<string, int> { [prefix + "first"] = 1 };
        for (var i = 0; i < writers; i++)
        {
            if (results[i] == "committed")
            {
                expected[prefix + i] = 2;
            }
        }

        Assert.Equal(expected.OrderBy(e => e.Key), stored.OrderBy(e => e.Key));
        if (Database.SqliteSessions is { } pool)
        {
            // 25 transactions, at most 32 to a group: the first commit carries the first alone or
            // with the rest, so two commits at most (other tests' writers may add a few of their own).
            Assert.InRange(pool.Commits - commitsBefore, 1, 6);
        }
    }

    [Fact]
    public async Task An_autocommit_writer_after_a_group_sees_it_committed_and_a_reader_sees_it_too()
    {
        var id = $"group-{Guid.NewGuid():N}";
        var first = await Database.OpenWriteAsync();
        await Insert(first, id, 0);
        Task<int> Update() => Task.Run(async () =>
        {
            await using var autocommit = await Database.OpenAutocommitWriteAsync();
            return await autocommit.ExecuteAsync("UPDATE validity_boundaries SET at = @at WHERE entry_id = @id", CancellationToken.None,
                ("at", FarAway.AddDays(7)), ("id", id));
        });

        Task<int> queued;
        if (Database.SqliteSessions is { } sqlite)
        {
            // SQLite: the autocommit writer queues behind the open group and runs after its commit.
            queued = Update();
            await Waits.UntilAsync(() => sqlite.WritersWaiting == 1, TimeSpan.FromSeconds(10), "the autocommit writer queued");
            await first.CommitAsync(CancellationToken.None);
        }
        else
        {
            // PostgreSQL has no queue: an UPDATE started before the commit would not see the
            // uncommitted row at all (0 rows, no wait), so it starts after the commit.
            await first.CommitAsync(CancellationToken.None);
            queued = Update();
        }

        await first.DisposeAsync();
        Assert.Equal(1, await queued);

        await using var read = await Database.OpenSessionAsync();
        var at = await read.QueryAsync<string>("SELECT entry_id FROM validity_boundaries WHERE entry_id = @id AND at > @after", CancellationToken.None,
            ("id", id), ("after", FarAway.AddDays(1)));
        Assert.Single(at);
    }

    private static Task<int> Insert(DbSession session, string id, int days) =>
        session.ExecuteAsync("INSERT INTO validity_boundaries (entry_id, at) VALUES (@id, @at)", CancellationToken.None, ("id", id), ("at", FarAway.AddDays(days)));
}
