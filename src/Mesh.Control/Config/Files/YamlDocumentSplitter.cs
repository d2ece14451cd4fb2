using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mesh.Control.Config.Files;

/// <summary>One YAML document cut out of a multi-document file.</summary>
/// <param name="Text">The document's text, starting at the beginning of its first line.</param>
/// <param name="FirstLine">1-based line in the file where <see cref="Text"/> starts (marks inside Text are offset by FirstLine - 1).</param>
internal sealed record YamlDocumentText(int Index, string Text, int FirstLine);

/// <summary>A syntax error that stopped the split: documents after it cannot be located.</summary>
internal sealed record YamlSplitError(int Document, int Line, string Message);

/// <summary>
/// Finds document boundaries with YamlDotNet's event parser (DocumentStart/DocumentEnd marks) instead of splitting
/// on "---" text, which would break on "---" inside block scalars and on "--- # comment" variants.
/// </summary>
internal static class YamlDocumentSplitter
{
    public static (IReadOnlyList<YamlDocumentText> Documents, YamlSplitError? Error) Split(string content)
    {
        var documents = new List<YamlDocumentText>();
        var parser = new Parser(new StringReader(content));
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out var start))
            {
                // Skip the document's events; nested structure does not matter here.
                while (!parser.Accept<DocumentEnd>(out _))
                    parser.MoveNext();
                var end = parser.Consume<DocumentEnd>();

                // Start at the beginning of the line so the document's line numbers map back by a plain offset.
                var from = LineStart(content, (int)start.Start.Index);
                var to = (int)Math.Min(end.End.Index, content.Length);
                documents.Add(new YamlDocumentText(documents.Count, content[from..to], (int)start.Start.Line));
            }
            return (documents, null);
        }
        catch (YamlException e)
        {
            return (documents, new YamlSplitError(documents.Count, (int)e.Start.Line, Describe(e)));
        }
    }

    /// <summary>YamlDotNet messages carry "(Line: 3, Col: 1, ...)" noise; we report lines ourselves.</summary>
    public static string Describe(YamlException e) => e.InnerException is { } inner && e.Message == "Exception during deserialization"
        ? inner.Message
        : e.Message;

    private static int LineStart(string content, int index)
    {
        index = Math.Min(index, content.Length);
        while (index > 0 && content[index - 1] != '\n')
            index--;
        return index;
    }
}
