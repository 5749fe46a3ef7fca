#pragma once
// Bounds on what a client's document may cost. Every one is checked where the cost would
// arise and answered with a GraphQL error, never a crash or a long stall: the parser
// counts bytes, tokens and nesting; validation bounds fragment expansion (a few fragments
// that each spread the next twice describe millions of fields) and the pairwise field
// comparisons of OverlappingFieldsCanBeMerged; execution bounds the fields it completes.
#include <cstddef>

namespace sg::graphql {

struct Limits {
  std::size_t max_document_bytes = 64 * 1024;  // the query text
  std::size_t max_tokens = 20000;              // lexical tokens in the document
  std::size_t max_depth = 48;                  // nesting of selection sets, lists, objects, types
  std::size_t max_selections_per_set = 512;    // fields, spreads, inline fragments in one { }
  std::size_t max_arguments = 64;              // arguments (or directives) on one field
  std::size_t max_definitions = 256;           // operations + fragments
  // Fields of an operation with every fragment spread expanded (before skip/include).
  std::size_t max_expanded_fields = 20000;
  // Field pairs compared while checking that fields of one response key can be merged.
  std::size_t max_overlap_comparisons = 200000;
  std::size_t max_validation_errors = 100;  // validation stops after this many
  std::size_t max_result_fields = 200000;   // values completed by one execution
};

// What an SDL schema file may hold: schemas are trusted, but still bounded.
inline constexpr Limits kSchemaLimits{.max_document_bytes = 1024 * 1024,
                                      .max_tokens = 1000000,
                                      .max_depth = 64,
                                      .max_selections_per_set = 100000,
                                      .max_arguments = 1000,
                                      .max_definitions = 100000};

}  // namespace sg::graphql
