from aiposture.cli import main

main(prog_name="aiposture")  # same usage lines and completion variable (_AIPOSTURE_COMPLETE) as the script
