using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit.Sdk;

[assembly: MediaLibrary.Tests.Infrastructure.FailOnServerErrors]

namespace MediaLibrary.Tests.Infrastructure;

/// Fails every test during which an in-process server answered 500, whatever the test itself
/// asserted, unless the test (or its class) carries <see cref="ServerErrorsExpectedAttribute"/>.
/// The test servers keep the caller's execution context, so a 500 is charged to the test whose
/// request caused it, even with test classes running in parallel.
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class FailOnServerErrorsAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest) => ServerErrorGuard.Begin();

    public override void After(MethodInfo methodUnderTest)
    {
        var errors = ServerErrorGuard.End();
        var expected = methodUnderTest.GetCustomAttribute<ServerErrorsExpectedAttribute>() ??
                       methodUnderTest.ReflectedType?.GetCustomAttribute<ServerErrorsExpectedAttribute>();
        if (errors.Count > 0 && expected is null)
        {
            throw new XunitException(
                $"The server answered 500 during this test ({errors.Count}×); a 500 is a bug unless the test injects the fault " +
                $"(then mark it [ServerErrorsExpected]):\n{string.Join("\n", errors.Take(10))}");
        }
    }
}

/// Opt-out for tests that make the server fail on purpose (a failing dependency, an injected exception).
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class ServerErrorsExpectedAttribute(string why) : Attribute
{
    public string Why { get; } = why;
}

public static class ServerErrorGuard
{
    private static readonly AsyncLocal<ConcurrentQueue<string>?> Current = new();

    /// 500s answered outside any test (fixture set-up): reported by the fixture when it is disposed.
    public static ConcurrentQueue<string> Unattributed { get; } = new();

    /// The 500s recorded so far in the running test.
    public static IReadOnlyList<string> ThisTest => Current.Value?.ToList() ?? [];

    internal static void Begin() => Current.Value = new ConcurrentQueue<string>();

    internal static List<string> End()
    {
        var errors = Current.Value?.ToList() ?? [];
        Current.Value = null;
        return errors;
    }

    public static void Record(string request) => (Current.Value ?? Unattributed).Enqueue(request);
}

/// The outermost middleware of every test server: notes each 500 with its request line.
internal sealed class ServerErrorRecorder : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext context, RequestDelegate inner) =>
        {
            await inner(context);
            if (context.Response.StatusCode == StatusCodes.Status500InternalServerError)
            {
                ServerErrorGuard.Record($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            }
        });
        next(app);
    };
}
