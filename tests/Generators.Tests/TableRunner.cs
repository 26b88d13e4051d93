using System.Reflection;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Channels.Dispatch;
using Channels.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Generators.Tests;

/// <summary>
/// Loads a generated app, builds its handler table from DI and calls its handlers directly, with a stub
/// socket: enough to prove that generated code not only compiles but calls the right methods.
/// </summary>
public static class TableRunner
{
    /// <summary>Runs every handler of <paramref name="kind"/> once with the JSON arguments given; returns the app's <c>Log.Entries</c>.</summary>
    public static async Task<List<string>> RunAsync(Compilation compilation, ChannelEventKind kind, string? channel, params string[] jsonArguments)
    {
        var assembly = GeneratorHarness.Load(compilation);
        var tableType = assembly.GetTypes().Single(t => typeof(IChannelHandlerTable).IsAssignableFrom(t));
        var services = new ServiceCollection()
            .Configure<ChannelsOptions>(o => o.JsonSerializerOptions.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver()))
            .BuildServiceProvider();
        var table = (IChannelHandlerTable)Activator.CreateInstance(tableType, services)!;
        var socket = new StubSocket();
        foreach (var handler in table.Handlers.Where(h => h.Kind == kind && (h.Matcher is null || (channel is not null && h.Matcher(channel)))))
        {
            await handler.Invoke(new ChannelEvent(kind, socket, channel, Payload(jsonArguments), null, services));
        }

        var log = assembly.GetType("Log")!.GetProperty("Entries", BindingFlags.Public | BindingFlags.Static)!;
        return (List<string>)log.GetValue(null)!;
    }

    /// <summary>A payload of raw JSON arguments, built as the runtime's decoder builds one.</summary>
    private static ChannelPayload Payload(string[] arguments)
    {
        var json = new StringBuilder();
        var items = new (int Start, int Length)[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            var start = Encoding.UTF8.GetByteCount(json.ToString());
            json.Append(arguments[i]);
            items[i] = (start, Encoding.UTF8.GetByteCount(arguments[i]));
        }

        var constructor = typeof(ChannelPayload).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        return (ChannelPayload)constructor.Invoke([(ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(json.ToString()), items, null]);
    }
}
