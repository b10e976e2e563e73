using System.Text.Json;
using Meshwork.Diagnostics;

namespace Meshwork.Model;

/// <summary>A policy file (policies/*.policy.yaml), kept as parsed; its kinds are evaluated by the governance layer.</summary>
public sealed record PolicyFile(string Name, string File, JsonElement Document, SourceLocation Location);
