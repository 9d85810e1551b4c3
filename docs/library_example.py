from artread import ArchiveIndex, bundled_archive, search

index = ArchiveIndex(bundled_archive())  # or the folder of your own Markdown articles
index.sync()  # builds the index the first time, then reads only the files that changed
found = search(index, "梯度检查点", per_page=3)
print(f"{found.total} articles found")
for hit in found.hits:
    print(hit.entry.id, hit.entry.title, sep="\t")
best = index.read_article(found.hits[0].entry)  # an Article: front matter and Markdown body
print(best.published, best.category, ", ".join(best.tags), sep=" | ")
