using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Channels.Sockets;
using Channels.Transport;

namespace Channels.Admin;

/// <summary>
/// The JSON values of the Admin UI protocol (docs/research/admin-ui-protocol.md §2), written with a
/// <see cref="Utf8JsonWriter"/> into <see cref="JsonElement"/>s, which the packet encoder writes as they are:
/// no reflection, nothing for the app's JSON options to know.
/// </summary>
internal static class AdminJson
{
    /// <summary>Header values the UI is not shown: they carry the client's credentials.</summary>
    private static readonly HashSet<string> Redacted = new(StringComparer.OrdinalIgnoreCase) { "authorization", "cookie", "proxy-authorization" };

    /// <summary>A JS <c>Date</c> as JSON writes it: ISO-8601 UTC with milliseconds.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static JsonElement Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return JsonElement.Parse(buffer.WrittenSpan);
    }

    /// <summary>The UI's <c>SerializedSocket</c>: a socket of this server, with its handshake and rooms (its id, then its channels).</summary>
    public static JsonElement Socket(SocketIoSocket socket, DateTimeOffset issued) => Build(json =>
    {
        var session = socket.Session;
        var request = socket.HttpContext.Request;
        json.WriteStartObject();
        json.WriteString("id", socket.Id);
        json.WriteString("clientId", session.Id.Length > 12 ? session.Id[..12] : session.Id);
        json.WriteString("transport", session.Transport == EngineTransportKind.WebSocket ? "websocket" : "polling");
        json.WriteString("nsp", socket.Namespace);
        json.WriteStartObject("data");
        json.WriteEndObject();
        json.WriteStartObject("handshake");
        json.WriteString("address", Address(socket));
        json.WriteStartObject("headers");
        foreach (var header in request.Headers)
        {
            var name = header.Key.ToLowerInvariant();
            json.WriteString(name, Redacted.Contains(name) ? "(hidden)" : header.Value.ToString());
        }

        json.WriteEndObject();
        json.WriteStartObject("query");
        foreach (var pair in request.Query)
        {
            json.WriteString(pair.Key, pair.Value.ToString());
        }

        json.WriteEndObject();
        json.WriteNumber("issued", issued.ToUnixTimeMilliseconds());
        json.WriteBoolean("secure", request.IsHttps);
        json.WriteString("time", issued.UtcDateTime.ToString("ddd MMM dd yyyy HH:mm:ss 'GMT+0000 (Coordinated Universal Time)'", CultureInfo.InvariantCulture));
        json.WriteString("url", request.PathBase.Add(request.Path) + request.QueryString.ToString());
        json.WriteBoolean("xdomain", request.Headers.Origin.Count > 0);
        json.WriteEndObject();
        WriteRooms(json, socket.Id, socket.Channels);
        json.WriteEndObject();
    });

    /// <summary>
    /// A socket another server holds (from <see cref="ChannelTarget.FetchSocketsAsync"/>): what the UI needs to
    /// list it, with an empty handshake; its details are known on its own server only.
    /// </summary>
    public static JsonElement RemoteSocket(SocketInfo socket, DateTimeOffset now) => Build(json =>
    {
        json.WriteStartObject();
        json.WriteString("id", socket.Id);
        json.WriteString("clientId", socket.Id.Length > 12 ? socket.Id[..12] : socket.Id);
        json.WriteString("transport", "websocket");
        json.WriteString("nsp", socket.Namespace);
        json.WriteStartObject("data");
        json.WriteEndObject();
        json.WriteStartObject("handshake");
        json.WriteString("address", "(another server)");
        json.WriteStartObject("headers");
        json.WriteEndObject();
        json.WriteStartObject("query");
        json.WriteEndObject();
        json.WriteNumber("issued", now.ToUnixTimeMilliseconds());
        json.WriteBoolean("secure", false);
        json.WriteString("time", "");
        json.WriteString("url", "");
        json.WriteBoolean("xdomain", false);
        json.WriteEndObject();
        WriteRooms(json, socket.Id, socket.Channels);
        json.WriteEndObject();
    });

    /// <summary><c>[eventName, …args]</c> of an event the client sent, its arguments as they came.</summary>
    public static JsonElement EventArguments(string eventName, ChannelPayload args) => Build(json =>
    {
        json.WriteStartArray();
        json.WriteStringValue(eventName);
        for (var i = 0; i < args.Count; i++)
        {
            json.WriteRawValue(args.GetRawJson(i).Span, skipInputValidation: true);
        }

        json.WriteEndArray();
    });

    /// <summary>
    /// The <c>[eventName, …args]</c> array of an EVENT or BINARY_EVENT frame the server queued, or null for any
    /// other packet (acks, CONNECT, DISCONNECT). The frame is <c>42[/nsp,][id][…]</c> (<c>45n-…</c> when binary).
    /// </summary>
    public static JsonElement? SentEvent(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 2 || frame[0] != (byte)'4' || (frame[1] != (byte)'2' && frame[1] != (byte)'5'))
        {
            return null;
        }

        var start = frame.IndexOf((byte)'[');
        if (start < 0)
        {
            return null;
        }

        try
        {
            return JsonElement.Parse(frame[start..]);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteRooms(Utf8JsonWriter json, string id, IEnumerable<string> channels)
    {
        json.WriteStartArray("rooms");
        json.WriteStringValue(id);
        foreach (var channel in channels)
        {
            json.WriteStringValue(channel);
        }

        json.WriteEndArray();
    }

    /// <summary>As socket.io: a proxy's client address when a proxy says so, else the connection's.</summary>
    private static string Address(SocketIoSocket socket)
    {
        var http = socket.HttpContext;
        var headers = http.Request.Headers;
        var forwarded = headers["cf-connecting-ip"].ToString();
        if (forwarded.Length == 0)
        {
            forwarded = headers["x-forwarded-for"].ToString();
        }

        return forwarded.Length > 0 ? forwarded : http.Connection.RemoteIpAddress?.ToString() ?? socket.Session.RemoteAddress;
    }
}
