from artread.resident.client import main

main()
