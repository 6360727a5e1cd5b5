using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Storage;

/// The statements behind every endpoint, run on the configured database (SQLite or PostgreSQL).
public sealed class DbSessionTests(TestApp app) : IClassFixture<TestApp>
{
    private Database Database => app.Services.GetRequiredService<Database>();

    [Fact]
    public async Task One_statement_sent_with_its_parameters_in_another_order_binds_each_by_name()
    {
        const string sql = "SELECT CAST(@a AS bigint) - CAST(@b AS bigint)";
        await using var session = await Database.OpenSessionAsync();

        Assert.Equal(7L, await session.QueryFirstOrDefaultAsync<long>(sql, null, CancellationToken.None, ("a", 10L), ("b", 3L)));
        // Same text, so the same prepared statement on SQLite: values must follow names, not positions.
        Assert.Equal(7L, await session.QueryFirstOrDefaultAsync<long>(sql, null, CancellationToken.None, ("b", 3L), ("a", 10L)));
        Assert.Equal(-9L, await session.QueryFirstOrDefaultAsync<long>(sql, null, CancellationToken.None, ("b", 10L), ("a", 1L)));
        Assert.Equal(7L, await session.QueryFirstOrDefaultAsync<long>(sql, null, CancellationToken.None, ("a", 10L), ("b", 3L)));
    }

    [Fact]
    public async Task A_read_session_refuses_writes_and_writes_take_the_writer_session()
    {
        await using (var read = await Database.OpenSessionAsync())
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                read.ExecuteAsync("DELETE FROM search_changes WHERE seq < @seq", CancellationToken.None, ("seq", 0L)));
            Assert.Contains("OpenWriteAsync", refused.Message, StringComparison.Ordinal);
            // Reads that mention a write verb elsewhere still run.
            await read.QueryAsync<string>("SELECT key FROM image_variants WHERE key = @key", CancellationToken.None, ("key", "x"));
        }

        await using (var write = await Database.OpenAutocommitWriteAsync())
        {
            Assert.Equal(0, await write.ExecuteAsync("DELETE FROM search_changes WHERE seq < @seq", CancellationToken.None, ("seq", 0L)));
        }
    }

    [Theory]
    [InlineData("SELECT id FROM media_entries WHERE id = @id FOR UPDATE", false)]
    [InlineData("INSERT INTO x (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a", true)]
    [InlineData("  update webhook_streams set owner = NULL", true)]
    [InlineData("WITH u AS (UPDATE media_entries SET version = 2 RETURNING id) INSERT INTO events SELECT 1", true)]
    [InlineData("DELETE FROM events WHERE seq < 1", true)]
    [InlineData("SELECT count(*) FROM media_search WHERE media_search MATCH @match", false)]
    public void Write_statements_are_recognised_by_their_verb_and_target(string sql, bool write) =>
        Assert.Equal(write, WriteStatements.IsWrite(sql));
}
