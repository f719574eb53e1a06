"""The paper's study in miniature: visual tokenizers pre-trained with different methods, each kept
frozen under the same stage 2 (training/README.md, "The tokenizer study")."""
