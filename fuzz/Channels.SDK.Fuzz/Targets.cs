using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Channels.Generators.Patterns;
using Channels.Protocol;

namespace Channels.Fuzz;

/// <summary>
/// The fuzz targets. Each takes one input; anything it throws is a crash to afl-fuzz, so a target throws
/// only where the code under test broke its contract: an exception other than the documented refusal,
/// or a result that contradicts a reference (a round trip, or the majority of .NET's regex engines).
/// </summary>
internal static class Targets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["engine"] = Engine,
        ["socketio"] = SocketIo,
        ["pattern"] = Pattern,
        ["websocket"] = WebSocketTarget.Run,
    };

    /// <summary>
    /// Engine.IO: the input as a long-polling POST body and as one WebSocket text frame. A body that decodes
    /// must encode back to packets equal to the ones decoded.
    /// </summary>
    private static void Engine(byte[] input)
    {
        _ = EnginePacket.TryParseText(input, out _);

        var packets = new List<EnginePacket>();
        if (!PollingPayload.TryDecode(input, packets))
        {
            return;
        }

        var body = new ArrayBufferWriter<byte>();
        var first = true;
        foreach (var packet in packets)
        {
            PollingPayload.Encode(body, ToFrame(packet), ref first);
        }

        var again = new List<EnginePacket>();
        Check(PollingPayload.TryDecode(body.WrittenMemory, again), "a re-encoded body does not decode");
        Check(again.Count == packets.Count, $"{packets.Count} packets came back as {again.Count}");
        for (var i = 0; i < packets.Count; i++)
        {
            Check(
                again[i].Type == packets[i].Type && again[i].IsBinary == packets[i].IsBinary && again[i].Data.Span.SequenceEqual(packets[i].Data.Span),
                $"packet {i} changed in a round trip");
        }
    }

    private static EngineFrame ToFrame(EnginePacket packet) => packet.IsBinary
        ? new EngineFrame(ReadOnlyMemory<byte>.Empty, [packet.Data])
        : new EngineFrame((byte[])[(byte)('0' + (int)packet.Type), .. packet.Data.Span]);

    /// <summary>
    /// Socket.IO: the input is a session's sequence of messages, split at <c>0x1e</c>; a message starting
    /// with <c>0x00</c> is a binary message of the bytes after it, any other is a text packet. Each goes
    /// through the session's decoder (binary reassembly included); every whole packet is read the way the
    /// server reads it (event name, string and binary arguments), and its arguments must be valid JSON.
    /// </summary>
    private static void SocketIo(byte[] input)
    {
        var decoder = new SocketIoDecoder(maxAttachments: 10);
        var rest = input.AsMemory();
        while (true)
        {
            var end = rest.Span.IndexOf(PollingPayload.Separator);
            var message = end < 0 ? rest : rest[..end];
            if (message.Length > 0 && message.Span[0] == 0)
            {
                Decode(decoder, EnginePacket.Binary(message[1..]));
            }
            else if (EnginePacket.TryParseText(message, out var packet) && packet.Type == EnginePacketType.Message)
            {
                Decode(decoder, packet);
            }

            if (end < 0)
            {
                return;
            }

            rest = rest[(end + 1)..];
        }
    }

    private static void Decode(SocketIoDecoder decoder, EnginePacket message)
    {
        SocketIoPacket? packet;
        try
        {
            packet = decoder.Decode(message);
        }
        catch (SocketIoDecodeException)
        {
            return; // the documented refusal: the session is closed
        }

        if (packet?.Arguments is not { } arguments)
        {
            return;
        }

        _ = packet.EventName?.Length;
        _ = packet.Size;
        for (var i = 0; i < arguments.Count; i++)
        {
            using (JsonDocument.Parse(arguments.GetRawJson(i)))
            {
            }

            if (arguments.GetValueKind(i) == JsonValueKind.String && arguments.TryGetString(i, out var text))
            {
                _ = ClientText.Excerpt(text!);
            }

            _ = arguments.TryGetBinary(i, out _);
        }
    }

    /// <summary>
    /// The generator's pattern compiler: the input is a pattern, then optionally <c>\0</c> and a channel
    /// name. Compiling never throws; where the pattern becomes an automaton, the automaton's answer for
    /// the channel name must be the majority answer of .NET's three regex engines.
    /// </summary>
    private static void Pattern(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var split = text.IndexOf('\0', StringComparison.Ordinal);
        var pattern = split < 0 ? text : text[..split];
        var channel = split < 0 ? "room-1" : text[(split + 1)..];

        var plan = PatternCompiler.Analyze(pattern);
        if (plan.Strategy != PatternStrategy.Invalid)
        {
            _ = MatcherEmitter.Emit(plan);
        }

        if (plan.Automaton is not { } automaton)
        {
            return;
        }

        // The interpreter alone first (cheap); only when it disagrees are the other two engines asked.
        var answer = automaton.IsMatch(channel);
        var interpreter = Engine(pattern, channel, RegexOptions.None);
        if (interpreter == answer)
        {
            return;
        }

        // The interpreter and Compiled share an optimizer, so a bug of theirs can outvote NonBacktracking:
        // where NonBacktracking takes the pattern, a finding needs it to disagree with the automaton too.
        var nonBacktracking = Engine(pattern, channel, RegexOptions.NonBacktracking);
        bool?[] engines = [interpreter, nonBacktracking, Engine(pattern, channel, RegexOptions.Compiled)];
        var yes = engines.Count(e => e == true);
        var no = engines.Count(e => e == false);
        Check(
            nonBacktracking is { } truth ? answer == truth || yes == no || answer == yes > no : yes == no || answer == yes > no,
            $"the automaton for /{pattern}/ answers {answer} for \"{channel}\"; the regex engines answer {string.Join(", ", engines)}");
    }

    /// <summary>One engine's answer; null when it cannot take the pattern or times out.</summary>
    private static bool? Engine(string pattern, string input, RegexOptions options)
    {
        try
        {
            return new Regex(pattern, options, TimeSpan.FromMilliseconds(100)).IsMatch(input);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }
}
