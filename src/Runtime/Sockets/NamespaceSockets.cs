namespace Channels.Sockets;

/// <summary>
/// A connection's sockets by namespace. Nearly every connection has one namespace, so the first socket is a
/// field and a dictionary is made only for a second (an idle connection then holds no dictionary). Not
/// thread-safe: the connection uses it under its lock.
/// </summary>
internal struct NamespaceSockets
{
    private string? _firstNamespace;
    private SocketIoSocket? _first;
    private Dictionary<string, SocketIoSocket>? _more;

    public readonly SocketIoSocket? Get(string @namespace) =>
        _first is not null && _firstNamespace == @namespace ? _first : _more?.GetValueOrDefault(@namespace);

    public void Set(string @namespace, SocketIoSocket socket)
    {
        if (_first is null || _firstNamespace == @namespace)
        {
            _more?.Remove(@namespace);
            (_firstNamespace, _first) = (@namespace, socket);
        }
        else
        {
            (_more ??= new Dictionary<string, SocketIoSocket>(StringComparer.Ordinal))[@namespace] = socket;
        }
    }

    public void Remove(string @namespace)
    {
        if (_first is not null && _firstNamespace == @namespace)
        {
            (_firstNamespace, _first) = (null, null);
        }
        else
        {
            _more?.Remove(@namespace);
        }
    }

    public readonly SocketIoSocket[] ToArray() => (_first, _more) switch
    {
        (null, null) => [],
        ({ } first, null) => [first],
        (null, { } more) => [.. more.Values],
        ({ } first, { } more) => [first, .. more.Values],
    };
}
