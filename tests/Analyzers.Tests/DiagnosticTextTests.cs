using System.Text.RegularExpressions;
using Channels.Tests;
using Microsoft.CodeAnalysis.Testing;

namespace Channels.Analyzers.Tests;

/// <summary>
/// What a user reads of a diagnostic: a help link that resolves (an absolute link to the rule's section of
/// <c>docs/diagnostics.md</c> when the build knows where the docs are published, none otherwise), and a message
/// that says how to fix the problem on its own.
/// </summary>
public sealed partial class DiagnosticTextTests
{
    private const string ExampleDocs = "https://github.com/owner/repo/blob/main/docs/";

    [Fact]
    public void Every_rule_has_a_section_of_the_catalog_whose_heading_is_the_anchor_of_its_help_link()
    {
        var sections = CatalogHeading().Matches(File.ReadAllText(Repo.Path("docs", "diagnostics.md")))
            .Select(m => m.Groups["id"].Value)
            .ToList();
        var rules = Diagnostics.All.Select(d => d.Id).ToList();

        // The generator reports a rule of its own (CHN0202), tracked in its release file.
        var generatorRules = File.ReadAllLines(Repo.Path("src", "Generators", "AnalyzerReleases.Unshipped.md"))
            .Where(line => line.StartsWith("CHN", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[0]);
        Assert.Equal(rules.Concat(generatorRules).Order(StringComparer.Ordinal), sections.Order(StringComparer.Ordinal));
        foreach (var id in rules)
        {
            // GitHub's anchor for the heading "## CHN0005" is "chn0005": lower case, nothing else in the heading.
            Assert.Equal(ExampleDocs + "diagnostics.md#" + id.ToLowerInvariant(), Diagnostics.HelpLink(ExampleDocs, id));
        }
    }

    [Fact]
    public void Help_links_are_absolute_with_the_rules_anchor_when_the_build_set_a_docs_address_and_absent_otherwise()
    {
        foreach (var descriptor in Diagnostics.All)
        {
            if (Diagnostics.DocsUrl.Length == 0)
            {
                Assert.Equal(string.Empty, descriptor.HelpLinkUri);
                continue;
            }

            Assert.True(Uri.TryCreate(descriptor.HelpLinkUri, UriKind.Absolute, out var link), descriptor.Id + ": " + descriptor.HelpLinkUri);
            Assert.Equal("#" + descriptor.Id.ToLowerInvariant(), link.Fragment);
            Assert.StartsWith(Diagnostics.DocsUrl + "diagnostics.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        }

        Assert.Equal(string.Empty, Diagnostics.HelpLink(string.Empty, "CHN0005"));
    }

    [Fact]
    public Task CHN0005_lists_what_each_kind_without_a_payload_binds_and_points_OnConnect_to_ChannelSocket_Auth() => Verifier.VerifyAsync(
        """
        public partial class Handlers
        {
            [OnConnect] public void Connect(ChannelSocket socket, {|#0:string name|}) { }
            [OnSubscribe] public void Subscribe({|#1:string room|}) { }
            [OnError] public void Error({|#2:int code|}) { }
        }
        """,
        Unbindable(0, "Parameter 'name' of type 'string' cannot be bound for [OnConnect], which has no payload. Its parameters can be: ChannelSocket, HttpContext, IDictionary<string, object?> (the connection's context), CancellationToken. The CONNECT payload (socket.io-client's auth option) is ChannelSocket.Auth: take a ChannelSocket and read socket.Auth"),
        Unbindable(1, "Parameter 'room' of type 'string' cannot be bound for [OnSubscribe], which has no payload. Its parameters can be: ChannelSocket, HttpContext, IDictionary<string, object?> (the connection's context), CancellationToken, string channel (by that name). Remove 'room' or give it one of these types"),
        Unbindable(2, "Parameter 'code' of type 'int' cannot be bound for [OnError], which has no payload. Its parameters can be: ChannelSocket, HttpContext, IDictionary<string, object?> (the connection's context), CancellationToken, string channel (by that name), the Exception (or a subtype, to handle only that type). Remove 'code' or give it one of these types"));

    [Fact]
    public Task Messages_of_other_rules_say_what_to_write_instead() => Verifier.VerifyAsync(
        """
        public partial class Handlers
        {
            [OnEvent({|#0:"subscribe"|})] public void Subscribe() { }
            [OnEvent("join")] public void Join({|#1:string channel|}) { }
            [OnMessage] public void Bytes({|#2:Span<byte> data|}) { }
        }
        """,
        new DiagnosticResult(Diagnostics.ReservedEventName).WithLocation(0).WithArguments("'subscribe' is a reserved event name; use [OnSubscribe] for it, or choose another name"),
        new DiagnosticResult(Diagnostics.ChannelNotAvailable).WithLocation(1).WithArguments("[OnEvent] events have no channel to bind to 'channel'; rename it to take the event's argument, or remove it"),
        new DiagnosticResult(Diagnostics.UnbindableParameter).WithLocation(2).WithArguments("Parameter 'data' of type 'System.Span<byte>' cannot be bound: a ref struct cannot be deserialized; use ReadOnlyMemory<byte> for binary data"));

    private static DiagnosticResult Unbindable(int location, string message) =>
        new DiagnosticResult(Diagnostics.UnbindableParameter).WithLocation(location).WithArguments(message);

    [GeneratedRegex(@"^## (?<id>CHN\d{4})\r?$", RegexOptions.Multiline)]
    private static partial Regex CatalogHeading();
}
