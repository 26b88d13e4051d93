using System.Collections.Immutable;
using System.Linq;
using Channels.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Channels.Analyzers;

/// <summary>CHN0105 and CHN0201: parameters bound to the named groups of a channel pattern.</summary>
public sealed partial class HandlerAnalyzer
{
    private static void ReportCaptureNotes(SymbolAnalysisContext context, HandlerMethodModel handler, IMethodSymbol method, AttributeData attribute)
    {
        if (handler.Pattern is not { } pattern || !handler.Parameters.Any(p => p.Binding == BindingKind.Capture))
        {
            return;
        }

        if (pattern.ExtractorFallbackReason is { } reason)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.CaptureRegexFallback, ArgumentLocation(attribute, -1), pattern.Pattern, reason));
        }

        foreach (var parameter in handler.Parameters.Where(p => p.Binding == BindingKind.Capture))
        {
            var group = pattern.Groups.First(g => g.Name == parameter.Group);
            var type = method.Parameters.FirstOrDefault(p => p.Name == parameter.Group)?.Type;
            if (type is null || group.BodyOffset < 0)
            {
                continue;
            }

            var tighter = type.SpecialType switch
            {
                SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64 when !group.OnlyDigits => @"\d+",
                SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64 when !group.OnlyDigits => @"-?\d+",
                _ when type.ToDisplayString() == "System.Guid" && !group.OnlyGuidChars => "[0-9a-fA-F-]+",
                _ => null,
            };
            if (tighter is null)
            {
                continue;
            }

            var corrected = pattern.Pattern.Substring(0, group.BodyOffset) + tighter + pattern.Pattern.Substring(group.BodyOffset + group.BodyLength);
            var properties = ImmutableDictionary<string, string?>.Empty.Add(Generators.Parser.HandlerProblem.FixProperty, corrected);
            context.ReportDiagnostic(Diagnostic.Create(
                Diagnostics.CaptureNeverParses,
                ArgumentLocation(attribute, group.BodyOffset, group.BodyLength),
                properties,
                group.Name,
                pattern.Pattern,
                type.ToDisplayString(),
                tighter));
        }
    }
}
