using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Generators.Tests;

/// <summary>
/// An [OnEvent] result type that the app's JSON options do not know fails when the handler table is built
/// (at start-up), naming the type and the fix, as a payload type does; not at each call, where the client
/// would wait for an ack that never comes.
/// </summary>
public sealed class AckTypeCheckTests
{
    private const string Source = """
        using System.Threading.Tasks;
        using Channels;

        namespace App
        {
            public sealed record Sum(int Value);
            public readonly record struct Point(int X, int Y);

            public static partial class Handlers
            {
                [OnEvent("add")] public static Sum Add(int a, int b) => new(a + b);
                [OnEvent("where")] public static ValueTask<Point?> Where() => new((Point?)null);
                [OnEvent("name")] public static Task<string> Name() => Task.FromResult("x");
            }
        }

        public static class Program { public static void Main() { } }
        """;

    [Fact]
    public void Table_construction_fails_naming_an_undeclared_ack_type_and_the_fix()
    {
        var table = TableType();

        var failure = Assert.Throws<InvalidOperationException>(() => Build(table, typeof(int)));

        Assert.Contains("App.Point", failure.Message, StringComparison.Ordinal);
        Assert.Contains("[OnEvent] handler returns as its ack", failure.Message, StringComparison.Ordinal);
        Assert.Contains("[JsonSerializable(typeof(Point))]", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ChannelsOptions.JsonSerializerOptions.TypeInfoResolverChain", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_builds_when_every_ack_type_is_declared()
    {
        var table = TableType();
        var sum = table.Assembly.GetType("App.Sum")!;
        var point = table.Assembly.GetType("App.Point")!;

        // Point? is checked as Point (a boxed Point? is a Point); string needs no app context.
        var built = Build(table, typeof(int), sum, point);

        Assert.Equal(3, built.Handlers.Count);
    }

    private static Type TableType()
    {
        var (output, _) = GeneratorHarness.RunClean(Source);
        return GeneratorHarness.Load(output).GetTypes().Single(t => typeof(IChannelHandlerTable).IsAssignableFrom(t));
    }

    /// <summary>Builds the table with JSON options that know exactly <paramref name="known"/> (and the runtime's own types).</summary>
    private static IChannelHandlerTable Build(Type table, params Type[] known)
    {
        var services = new ServiceCollection()
            .Configure<ChannelsOptions>(o => o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, new OnlyResolver(known)))
            .BuildServiceProvider();
        try
        {
            return (IChannelHandlerTable)Activator.CreateInstance(table, services)!;
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private sealed class OnlyResolver(Type[] known) : IJsonTypeInfoResolver
    {
        private readonly DefaultJsonTypeInfoResolver _reflection = new();

        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
            known.Contains(type) ? _reflection.GetTypeInfo(type, options) : null;
    }
}
