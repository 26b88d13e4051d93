using System.Reflection;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Channels.Dispatch;
using Channels.Generated;
using Channels.Protocol;
using Channels.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Bench.Micro;

/// <summary>
/// One message event published to a channel, dispatched three ways: a hand-written call (the floor),
/// the generated table (cached per-channel resolution, generated invoker and matcher), and the
/// django-socketio model (every handler's runtime Regex against every subscribed channel, then
/// <see cref="MethodInfo.Invoke(object, object[])"/>).
/// </summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private const string Channel = "room-0-lobby";
    private ManyHandlers _handlers = null!;
    private StubSocket _socket = null!;
    private ChannelPayload _payload = null!;
    private NamespaceHandlers _table = null!;
    private IServiceProvider _services = null!;
    private (Regex Pattern, MethodInfo Method)[] _reflection = null!;

    /// <summary>How many patterned handlers are registered (one matches).</summary>
    [Params(1, 10, 100)]
    public int Handlers { get; set; }

    /// <summary>How many channels the socket is subscribed to.</summary>
    [Params(1, 20)]
    public int Channels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().BuildServiceProvider();
        var generated = new ChannelHandlerTable_Channels_SDK_Bench_Micro(_services);
        var descriptors = generated.Handlers.Where(h => h.Name.Contains("ManyHandlers", StringComparison.Ordinal)).Take(Handlers).ToArray();
        _table = new HandlerCatalog([new Subset(descriptors)]).Find("/")!;
        _handlers = ManyHandlers.__ChannelsCreate(_services);
        _socket = new StubSocket([Channel, .. Enumerable.Range(1, Channels - 1).Select(i => $"room-{i % Handlers}-x")]);
        SocketIoParser.TryParse("2[\"message\",\"hello\"]"u8.ToArray(), 10, out var packet, out _);
        _payload = packet!.Arguments!;
        _reflection = [.. Enumerable.Range(0, Handlers).Select(i => (new Regex($"^room-{i}-"), typeof(ManyHandlers).GetMethod($"H{i}")!))];
    }

    [Benchmark(Baseline = true, Description = "hand-written call")]
    public void HandWritten()
    {
        if (Channel.StartsWith("room-0-", StringComparison.Ordinal))
        {
            _handlers.H0(_socket, _payload.GetString(0)!);
        }
    }

    [Benchmark(Description = "generated table")]
    public void Generated()
    {
        foreach (var handler in _table.ForChannel(ChannelEventKind.Message, Channel))
        {
            var result = handler.Invoke(new ChannelEvent(ChannelEventKind.Message, _socket, Channel, _payload, null, _services));
            if (!result.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("expected a synchronous handler");
            }
        }
    }

    [Benchmark(Description = "reflection + Regex per channel")]
    public void ReflectionRegex()
    {
        var text = _payload.GetString(0);
        // django-socketio matched every handler's pattern against every channel of the socket on each
        // message; the handlers bound to the channel the message was published to are then called.
        foreach (var channel in _socket.Channels)
        {
            foreach (var (pattern, method) in _reflection)
            {
                if (pattern.IsMatch(channel) && channel == Channel)
                {
                    method.Invoke(_handlers, [_socket, text]);
                }
            }
        }
    }

    private sealed class Subset(IReadOnlyList<ChannelHandlerDescriptor> handlers) : IChannelHandlerTable
    {
        public IReadOnlyList<ChannelHandlerDescriptor> Handlers { get; } = handlers;
    }
}
