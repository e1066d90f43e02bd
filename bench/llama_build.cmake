# Included after every project() of the llama-cpp-python build (make llm: CMAKE_PROJECT_INCLUDE).
# llama-cpp-python forces llama.cpp's common library on, yet its bindings load only libllama and
# ggml: without it the build has 83 steps instead of 127 (the multimodal library already off),
# the ones left out the template-heavy chat, argument and JSON-schema code.
set(LLAMA_BUILD_COMMON OFF CACHE BOOL "llama.cpp common library (unused by the bindings)" FORCE)
