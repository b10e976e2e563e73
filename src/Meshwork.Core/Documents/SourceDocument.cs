using System.Text.Json;
using Meshwork.Diagnostics;

namespace Meshwork.Documents;

/// <summary>A YAML file of the mesh repository in its JSON form, with the positions of its nodes.</summary>
public sealed class SourceDocument
{
    public SourceDocument(string file, string fullPath, JsonElement root, SourceMap map)
    {
        File = file;
        FullPath = fullPath;
        Root = root;
        Map = map;
    }

    /// <summary>The path relative to the linted folder, with forward slashes.</summary>
    public string File { get; }

    public string FullPath { get; }

    public JsonElement Root { get; }

    public SourceMap Map { get; }

    public SourceLocation Locate(string pointer) => Map.Locate(pointer);

    /// <summary>The same document with a new JSON form (after a migration), keeping the positions.</summary>
    public SourceDocument With(JsonElement root) => new(File, FullPath, root, Map);
}
